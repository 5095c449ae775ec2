"""Telegram channel (python-telegram-bot, webhook mode): ``POST /webhooks/telegram/webhook``.

Telegram signs nothing; the webhook is guarded by the secret Telegram echoes in the
``X-Telegram-Bot-Api-Secret-Token`` header (set with ``setWebhook(secret_token=...)``).
Updates are handled before the webhook answers, so one update gives one answer; a repeated
``update_id`` is acknowledged and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from channels import delivery
from channels.choices import seen_keys
from channels.guards import body_problem, error
from channels.render import message_text, split_text, utf16_len
from channels.settings import TelegramSettings
from core.limits import MAX_MESSAGE_CHARS
from knowledge_base.texts import say

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1024 * 1024
MESSAGE_LIMIT = 4096  # Telegram's limit, in UTF-16 code units
CALLBACK_DATA_BYTES = 64
HANDLED = {"message", "callback_query"}


class TelegramSender:
    """Sends Rasa-style messages to a chat: long texts split, buttons as inline keyboards."""

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.bot = Bot(settings.token, base_url=f"{settings.api_url}/bot")
        # callback_data holds 64 bytes: longer payloads travel as a key into this map.
        self.long_payloads: dict[str, str] = {}

    def callback_data(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_BYTES and not payload.startswith("#"):
            return payload
        key = "#" + hashlib.sha1(payload.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
        self.long_payloads[key] = payload
        return key

    def payload(self, data: str) -> str | None:
        """The payload a pressed button stands for (None for an unknown long-payload key)."""
        return self.long_payloads.get(data) if data.startswith("#") else data

    def keyboard(self, buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
        rows = []
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "")[:64] or "…"
            if button.get("url"):
                rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
            else:
                data = self.callback_data(str(button.get("payload") or title))
                rows.append([InlineKeyboardButton(title, callback_data=data)])
        return InlineKeyboardMarkup(rows) if rows else None

    async def send(self, chat_id: str, message: dict[str, Any]) -> None:
        text = message_text(message)
        markup = self.keyboard(list(message.get("buttons") or message.get("quick_replies") or []))
        if not text and markup is None:
            return
        pieces = split_text(text or say("channels.choose"), MESSAGE_LIMIT, utf16_len)
        for number, piece in enumerate(pieces, start=1):
            await self.bot.send_message(
                chat_id=chat_id,
                text=piece,
                reply_markup=markup if number == len(pieces) else None,
            )

    async def deliver(self, chat_id: str, messages: list[dict[str, Any]]) -> bool:
        try:
            for message in messages:
                await self.send(chat_id, message)
        except TelegramError as failure:
            logger.error("Telegram sendMessage to %s failed: %s", chat_id, failure)
            return False
        return True


class TelegramOutput(OutputChannel):
    """Rasa output channel writing to one Telegram chat."""

    def __init__(self, sender: TelegramSender, chat_id: str) -> None:
        self.sender = sender
        self.chat_id = chat_id

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.sender.send(self.chat_id, dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.sender.send(self.chat_id, {"text": text})


class TelegramInput(InputChannel):
    """Rasa input channel for one Telegram bot."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """The channel reads its settings from the environment only (``IPPC_*``);
        credentials.yml merely switches it on, so there is one route for each setting."""
        settings = TelegramSettings.from_env()
        if settings is None:
            cls.raise_missing_credentials_exception()
        return cls(settings)

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.sender = TelegramSender(settings)
        self.seen_updates = seen_keys()
        if not settings.secret:
            logger.error("IPPC_TELEGRAM_SECRET is not set: every Telegram update is refused")

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return bool(self.settings.secret) and hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), self.settings.secret.encode("utf-8")
        )

    async def _push(self, recipient: str, messages: list[dict[str, Any]]) -> delivery.Outcome:
        return "delivered" if await self.sender.deliver(recipient, messages) else "failed"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("ippc_telegram", __name__)

        @telegram.listener("before_server_start")
        async def register(app, _loop) -> None:  # noqa: ANN001 - Sanic's signature
            delivery.register_sender(app, self.name(), self._push)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return error(403, "secret token missing or wrong")
            problem = body_problem(request, MAX_BODY, ("application/json",))
            if problem:
                return problem
            try:
                data = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return error(400, "body is not JSON")
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return error(400, "not a Telegram update (update_id missing)")
            kinds = set(data) & set(Update.ALL_TYPES)
            if not kinds:
                return error(400, "unknown update type")
            if not self.seen_updates.add(str(data["update_id"]), "1"):
                return response.json({"ok": True, "duplicate": True})
            if not kinds & HANDLED:
                return response.json({"ok": True, "ignored": sorted(kinds)})
            try:
                update = Update.de_json(data, self.sender.bot)
            except (KeyError, TypeError, ValueError, AttributeError) as failure:
                return error(400, f"malformed update: {failure}")
            await self._handle(update, on_new_message)
            return response.json({"ok": True})

        return telegram

    async def _handle(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        text: str | None = None
        chat = update.effective_chat
        if chat is None:
            return
        chat_id = str(chat.id)
        try:
            if update.callback_query is not None:
                query = update.callback_query
                await query.answer()
                text = self.sender.payload(query.data or "")
                if text is None:  # a long-payload key this process does not know (restart)
                    await self.sender.send(chat_id, {"text": say("channels.expired_choice")})
                    return
            elif update.message is not None:
                text = update.message.text
                if not isinstance(text, str) or not text:
                    await self.sender.send(chat_id, {"text": say("channels.non_text")})
                    return
                if text.startswith("/start"):
                    text = "/greet"
            if not text:
                return
            await on_new_message(
                UserMessage(
                    text[:MAX_MESSAGE_CHARS],
                    TelegramOutput(self.sender, chat_id),
                    delivery.conversation_id(self.name(), chat_id),
                    input_channel=self.name(),
                    metadata={"telegram": {"chat_id": chat_id}},
                )
            )
        except TelegramError as failure:
            logger.error("Telegram API call failed: %s", failure)
        except Exception:  # answered 200 anyway so Telegram does not resend
            logger.exception("Telegram update handling failed")
