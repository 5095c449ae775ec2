"""Which Rasa channels are switched on: built from the environment by ``ippc run``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def build_credentials(environ: Mapping[str, str]) -> dict[str, Any]:
    """Rasa ``credentials.yml`` content: the REST channel always, others when configured."""
    credentials: dict[str, Any] = {"rest": None}
    return credentials
