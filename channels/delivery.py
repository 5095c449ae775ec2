"""Senders registered by the channels running in this (Rasa server) process.

``push`` (in any process) reaches them through the internal push endpoint, so that one
process owns each channel's connections and API tokens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from sanic import Sanic

Outcome = Literal["delivered", "queued", "failed"]
# (recipient within the channel, messages) -> what became of them.
Sender = Callable[[str, list[dict[str, Any]]], Awaitable[Outcome]]

# How each channel writes its conversation ids: "<prefix><recipient>".
PREFIXES = {"wechat": "wechat:", "telegram": "telegram:"}


def conversation_id(channel: str, recipient: str) -> str:
    """The Rasa sender id of ``recipient`` on ``channel`` (WeChat openid, Telegram chat id)."""
    return PREFIXES.get(channel, "") + recipient


def recipient(channel: str, conversation: str) -> str:
    """Inverse of :func:`conversation_id` (an id without the prefix is taken as is)."""
    prefix = PREFIXES.get(channel, "")
    return (
        conversation[len(prefix) :] if prefix and conversation.startswith(prefix) else conversation
    )


def _senders(app: Sanic) -> dict[str, Sender]:
    if not hasattr(app.ctx, "ippc_senders"):
        app.ctx.ippc_senders = {}
    return app.ctx.ippc_senders


def register_sender(app: Sanic, channel: str, sender: Sender) -> None:
    """Called by a channel's blueprint when the server starts."""
    _senders(app)[channel] = sender


def get_sender(app: Sanic, channel: str) -> Sender | None:
    return _senders(app).get(channel)
