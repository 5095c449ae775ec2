"""Which Rasa channels are switched on: built from the environment by ``ippc run``.

Secrets are written as ``${NAME}`` references, which Rasa resolves from its own environment
when it reads ``credentials.yml``: the file on disk holds no secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WEBCHAT = "channels.webchat.WebchatInput"
WECHAT = "channels.wechat.WeChatInput"
TELEGRAM = "channels.telegram.TelegramInput"

# credential key -> environment variable, per channel.
WECHAT_KEYS = {
    "token": "IPPC_WECHAT_TOKEN",
    "appid": "IPPC_WECHAT_APPID",
    "aes_key": "IPPC_WECHAT_AES_KEY",
    "secret": "IPPC_WECHAT_SECRET",
    "api_url": "IPPC_WECHAT_API_URL",
}
TELEGRAM_KEYS = {
    "token": "IPPC_TELEGRAM_TOKEN",
    "secret": "IPPC_TELEGRAM_SECRET",
    "api_url": "IPPC_TELEGRAM_API_URL",
}


def _references(environ: Mapping[str, str], keys: dict[str, str]) -> dict[str, str]:
    return {key: f"${{{name}}}" for key, name in keys.items() if (environ.get(name) or "").strip()}


def rest_enabled(environ: Mapping[str, str]) -> bool:
    """REST is on unless ``IPPC_REST_ENABLED`` is 0/false/no/off."""
    value = (environ.get("IPPC_REST_ENABLED") or "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def build_credentials(environ: Mapping[str, str]) -> dict[str, Any]:
    """Rasa ``credentials.yml`` content: the web widget always, REST unless switched off
    (with its bearer token when ``IPPC_REST_TOKEN`` is set), others when configured.

    WeChat is on when ``IPPC_WECHAT_TOKEN`` is set, Telegram when ``IPPC_TELEGRAM_TOKEN`` is.
    """
    credentials: dict[str, Any] = {WEBCHAT: {}}
    if rest_enabled(environ):
        credentials["rest"] = _references(environ, {"token": "IPPC_REST_TOKEN"}) or None
    if (environ.get("IPPC_WECHAT_TOKEN") or "").strip():
        credentials[WECHAT] = _references(environ, WECHAT_KEYS)
    if (environ.get("IPPC_TELEGRAM_TOKEN") or "").strip():
        credentials[TELEGRAM] = _references(environ, TELEGRAM_KEYS)
    return credentials
