"""The center's time zone, the one source for every area: ``timezone`` in center_info.yml
(the center's data, beside its working hours). ``IPPC_TIMEZONE`` overrides it for a deployment
that serves another zone without editing the knowledge base (docs/settings.md)."""

from __future__ import annotations

from core.settings import env
from knowledge_base.base import get_knowledge_base


def center_timezone() -> str:
    """The IANA name of the center's time zone ("Asia/Shanghai")."""
    return env("IPPC_TIMEZONE") or get_knowledge_base().center_info.timezone
