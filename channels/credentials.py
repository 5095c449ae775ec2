"""Which Rasa channels are switched on: built from the environment by ``ippc run``.

Each channel reads its own settings from the environment (channels/settings.py); the entry in
``credentials.yml`` only switches it on, so the file holds no setting and no secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WEBCHAT = "channels.webchat.WebchatInput"
WECHAT = "channels.wechat.WeChatInput"
TELEGRAM = "channels.telegram.TelegramInput"


def rest_enabled(environ: Mapping[str, str]) -> bool:
    """REST is on unless ``IPPC_REST_ENABLED`` is 0/false/no/off."""
    value = (environ.get("IPPC_REST_ENABLED") or "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def build_credentials(environ: Mapping[str, str]) -> dict[str, Any]:
    """Rasa ``credentials.yml`` content: the web widget always, REST unless switched off
    (``IPPC_REST_ENABLED=0``; its token is read from the environment), others when configured.

    WeChat is on when ``IPPC_WECHAT_TOKEN`` is set, Telegram when ``IPPC_TELEGRAM_TOKEN`` is.
    """
    credentials: dict[str, Any] = {WEBCHAT: {}}
    if rest_enabled(environ):
        credentials["rest"] = None
    if (environ.get("IPPC_WECHAT_TOKEN") or "").strip():
        credentials[WECHAT] = {}
    if (environ.get("IPPC_TELEGRAM_TOKEN") or "").strip():
        credentials[TELEGRAM] = {}
    return credentials
