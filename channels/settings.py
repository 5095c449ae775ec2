"""Channel settings from the environment (names fixed by the outside contract)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

WECHAT_API_URL = "https://api.weixin.qq.com"
TELEGRAM_API_URL = "https://api.telegram.org"


def _get(environ: Mapping[str, str], name: str, default: str = "") -> str:
    return (environ.get(name) or default).strip()


@dataclass(frozen=True)
class WeChatSettings:
    """A WeChat Official Account: ``token`` switches it on; the rest are optional."""

    token: str
    appid: str = ""
    aes_key: str = ""
    secret: str = ""
    api_url: str = WECHAT_API_URL
    # Seconds to wait for the bot before answering ``success`` (WeChat gives up after 5 s).
    reply_window: float = 4.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WeChatSettings | None:
        environ = os.environ if environ is None else environ
        token = _get(environ, "IPPC_WECHAT_TOKEN")
        if not token:
            return None
        return cls(
            token=token,
            appid=_get(environ, "IPPC_WECHAT_APPID"),
            aes_key=_get(environ, "IPPC_WECHAT_AES_KEY"),
            secret=_get(environ, "IPPC_WECHAT_SECRET"),
            api_url=_get(environ, "IPPC_WECHAT_API_URL", WECHAT_API_URL).rstrip("/"),
            reply_window=float(_get(environ, "IPPC_WECHAT_REPLY_WINDOW", "4.0")),
        )


@dataclass(frozen=True)
class TelegramSettings:
    """A Telegram bot: ``token`` switches it on; ``secret`` guards the webhook."""

    token: str
    secret: str = ""
    api_url: str = TELEGRAM_API_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TelegramSettings | None:
        environ = os.environ if environ is None else environ
        token = _get(environ, "IPPC_TELEGRAM_TOKEN")
        if not token:
            return None
        return cls(
            token=token,
            secret=_get(environ, "IPPC_TELEGRAM_SECRET"),
            api_url=_get(environ, "IPPC_TELEGRAM_API_URL", TELEGRAM_API_URL).rstrip("/"),
        )


def internal_token(environ: Mapping[str, str] | None = None) -> str:
    """Shared secret between our processes (``ippc run`` generates one when unset)."""
    environ = os.environ if environ is None else environ
    return _get(environ, "IPPC_INTERNAL_TOKEN")


def rasa_url(environ: Mapping[str, str] | None = None) -> str:
    """Where other processes reach the Rasa server (for the internal push endpoint)."""
    environ = os.environ if environ is None else environ
    explicit = _get(environ, "IPPC_RASA_URL")
    if explicit:
        return explicit.rstrip("/")
    return f"http://127.0.0.1:{_get(environ, 'IPPC_RASA_PORT', '5005')}"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; False for 0.0.0.0 and anything else."""
    if host.lower() in {"localhost", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def demo_page_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """The widget demo page: on by default when the Rasa server listens on loopback only,
    off elsewhere unless ``IPPC_WIDGET_DEMO=1``."""
    environ = os.environ if environ is None else environ
    value = _get(environ, "IPPC_WIDGET_DEMO").lower()
    if value:
        return value in {"1", "true", "yes", "on"}
    return is_loopback(_get(environ, "IPPC_HOST", "127.0.0.1"))


def widget_origins(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Origins (``https://www.example.cn``) whose pages may open the widget's socket; empty:
    any origin (local development)."""
    environ = os.environ if environ is None else environ
    raw = _get(environ, "IPPC_WIDGET_ORIGINS")
    return tuple(o.strip().rstrip("/").lower() for o in raw.split(",") if o.strip())


def widget_secret(environ: Mapping[str, str] | None = None) -> str:
    """Key of the widget's resume tokens (``ippc run`` fills it in when unset)."""
    environ = os.environ if environ is None else environ
    return _get(environ, "IPPC_WIDGET_SECRET")


def public_url(environ: Mapping[str, str] | None = None) -> str:
    """The assistant's public base URL (``https://chat.example.cn``), for the demo page."""
    environ = os.environ if environ is None else environ
    return _get(environ, "IPPC_PUBLIC_URL").rstrip("/")
