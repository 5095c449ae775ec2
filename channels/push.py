"""Deliver messages to a conversation later, on the channel it came from (staff replies).

Contract (for the handoff code, which runs in another process than the Rasa server):

``await push_messages(conversation_id, channel, messages) -> bool``

- ``conversation_id``: the Rasa sender id (tracker id) of the conversation, qualified by its
  channel (``rest:…``, ``web:…``, ``wechat:…``, ``telegram:…``; see ``channels.delivery``).
- ``channel``: the tracker's input channel: ``"webchat"``, ``"wechat"``, ``"telegram"`` or
  ``"rest"``; it must be the channel of ``conversation_id`` (ValueError otherwise), so a
  ticket can never push to another channel's user.
- ``messages``: Rasa-style dicts, e.g. ``{"text": "...", "buttons": [{"title", "payload"}]}``.
- Returns True when the messages reached the user or are safely queued for them:
  webchat → sent on the open socket(s), or kept in the outbox and sent on reconnection;
  wechat → customer-service message; telegram → ``sendMessage``;
  rest → kept in the outbox; the next REST reply should start with ``pending_messages()``.
  Returns False when delivery failed (channel not configured, API refused, 48-hour limit
  of WeChat...): the caller should tell the staff member.

Delivery goes through the Rasa server's internal endpoint (``POST /webhooks/webchat/push``,
header ``X-IPPC-Internal-Token`` = ``IPPC_INTERNAL_TOKEN``), which owns the sockets and the
API tokens. When that server cannot be reached, webchat messages go to the outbox and
WeChat/Telegram are called directly from this process.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from channels import delivery, outbox
from channels.settings import TelegramSettings, WeChatSettings, internal_token, rasa_url
from core.db import run_sync

logger = logging.getLogger(__name__)

PUSH_PATH = "/webhooks/webchat/push"
TOKEN_HEADER = "X-IPPC-Internal-Token"  # noqa: S105 - a header name, not a secret
PUSHABLE = {"webchat", "wechat", "telegram"}


def validate(
    conversation_id: str, messages: list[dict[str, Any]], channel: str | None = None
) -> list[dict[str, Any]]:
    """Clean messages (text and buttons kept); ValueError on a malformed request, including a
    conversation id that is not qualified by ``channel`` (when given)."""
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise ValueError("conversation_id must be a non-empty string")
    if channel is not None and delivery.channel_of(conversation_id) != channel:
        raise ValueError(f"conversation_id is not a {channel} conversation")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list")
    cleaned = []
    for message in messages:
        if not isinstance(message, dict):
            raise ValueError("each message must be a dict")
        kept = {k: message[k] for k in ("text", "buttons", "image", "custom") if message.get(k)}
        if not isinstance(kept.get("text", ""), str):
            raise ValueError("text must be a string")
        buttons = kept.get("buttons", [])
        if not isinstance(buttons, list) or not all(isinstance(b, dict) for b in buttons):
            raise ValueError("buttons must be a list of dicts")
        if not kept:
            raise ValueError("a message needs text or buttons")
        cleaned.append(kept)
    return cleaned


def pending_messages(conversation_id: str) -> list[dict[str, Any]]:
    """Messages queued for ``conversation_id`` (REST users, offline widget users), claimed once.

    Whoever calls this must deliver them: each message is returned to one caller only.
    """
    return outbox.claim(conversation_id)


async def push_messages(conversation_id: str, channel: str, messages: list[dict[str, Any]]) -> bool:
    """Deliver ``messages`` to ``conversation_id`` on ``channel`` (see the module docstring)."""
    messages = validate(conversation_id, messages, channel)
    if channel not in PUSHABLE:
        await run_sync(outbox.store, conversation_id, channel, messages)
        return True
    try:
        return await _via_server(conversation_id, channel, messages)
    except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as failure:
        logger.warning("Rasa server unreachable for push (%s); delivering directly", failure)
    return await _direct(conversation_id, channel, messages)


async def _via_server(conversation_id: str, channel: str, messages: list[dict[str, Any]]) -> bool:
    token = internal_token()
    if not token:
        raise aiohttp.ClientConnectionError("IPPC_INTERNAL_TOKEN is not set")
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.post(
            rasa_url() + PUSH_PATH,
            json={"conversation_id": conversation_id, "channel": channel, "messages": messages},
            headers={TOKEN_HEADER: token},
        ) as resp:
            if resp.status >= 500 or resp.status in (401, 403):
                body = await resp.text()
                logger.error("push refused by the Rasa server: %s %s", resp.status, body[:200])
                return False
            if resp.status == 404 and channel == "webchat":
                raise aiohttp.ClientConnectionError("push endpoint not served")
            data = await resp.json(content_type=None)
    return isinstance(data, dict) and data.get("outcome") in ("delivered", "queued")


async def _direct(conversation_id: str, channel: str, messages: list[dict[str, Any]]) -> bool:
    recipient = delivery.recipient(channel, conversation_id)
    if channel == "webchat":
        await run_sync(outbox.store, conversation_id, channel, messages)
        return True
    if channel == "wechat":
        from channels.wechat import WeChatInput

        wechat_settings = WeChatSettings.from_env()
        if wechat_settings is None:
            return False
        return await WeChatInput(wechat_settings).send_later(recipient, messages)
    telegram_settings = TelegramSettings.from_env()
    if telegram_settings is None:
        return False
    from channels.telegram import TelegramSender

    return await TelegramSender(telegram_settings).deliver(recipient, messages)
