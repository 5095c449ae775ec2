"""Conversation ids qualified by their channel, and the senders registered by the channels
running in this (Rasa server) process.

Every channel gives Rasa ``<prefix><id the channel received>`` as the sender id (``rest:``,
``web:``, ``wechat:``, ``telegram:``), so that no channel can address another channel's user:
a REST caller who sends ``{"sender": "telegram:42"}`` talks as ``rest:telegram:42``. Tickets,
the outbox and the case-lookup lockout are keyed by that qualified id.

``push`` (in any process) reaches the senders through the internal push endpoint, so that one
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
PREFIXES = {"rest": "rest:", "webchat": "web:", "wechat": "wechat:", "telegram": "telegram:"}


class ConversationIdError(ValueError):
    """A conversation id that no channel could have produced."""


def conversation_id(channel: str, recipient: str) -> str:
    """The Rasa sender id of ``recipient`` on ``channel`` (REST sender, widget id, WeChat
    openid, Telegram chat id). An unknown channel is refused: ids are never left unqualified."""
    if channel not in PREFIXES:
        raise ConversationIdError(f"unknown channel {channel!r}")
    return PREFIXES[channel] + recipient


def channel_of(conversation: str) -> str:
    """The channel a qualified conversation id belongs to."""
    for channel, prefix in PREFIXES.items():
        if conversation.startswith(prefix) and len(conversation) > len(prefix):
            return channel
    raise ConversationIdError(f"conversation id {conversation[:80]!r} has no channel prefix")


def recipient(channel: str, conversation: str) -> str:
    """Inverse of :func:`conversation_id`; refuses an id qualified for another channel."""
    if channel_of(conversation) != channel:
        raise ConversationIdError(f"conversation id {conversation[:80]!r} is not a {channel} id")
    return conversation[len(PREFIXES[channel]) :]


def _senders(app: Sanic) -> dict[str, Sender]:
    if not hasattr(app.ctx, "ippc_senders"):
        app.ctx.ippc_senders = {}
    return app.ctx.ippc_senders


def register_sender(app: Sanic, channel: str, sender: Sender) -> None:
    """Called by a channel's blueprint when the server starts."""
    _senders(app)[channel] = sender


def get_sender(app: Sanic, channel: str) -> Sender | None:
    return _senders(app).get(channel)
