"""WeChat Official Account channel: ``/webhooks/wechat/webhook`` (GET verification, POST messages).

Every request is signed by WeChat with the account's token; a mismatch is refused with 403 before
anything is read, and so is a timestamp more than five minutes away from now. A signature is
accepted once, across every server instance (``channels.replay``); WeChat's retries of one
message carry the same message key and are answered ``success``. With an AES key configured,
only safe-mode (encrypted, ``msg_signature``-checked) messages are taken. Text messages go to Rasa; the answer is sent as the passive XML reply when
it is ready within the reply window, otherwise WeChat gets ``success`` at once and the answer
follows as a customer-service message.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import delivery, replay, wechat_xml
from channels.choices import ChoiceMemory, seen_keys
from channels.guards import body_problem, error
from channels.render import render_reply, split_text, utf8_len
from channels.settings import WeChatSettings
from channels.wechat_api import WeChatApi, WeChatApiError
from channels.wechat_crypto import WeChatCipher, WeChatCryptoError, signature, signature_ok
from core.db import run_sync
from core.limits import MAX_MESSAGE_CHARS
from knowledge_base.texts import say

logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
XML_TYPES = (
    "text/xml",
    "application/xml",
    "text/plain",
    "application/octet-stream",
    "application/x-www-form-urlencoded",  # curl's default
)
NON_TEXT = {"image", "voice", "video", "shortvideo", "location", "link", "file"}
QUIET_EVENTS = {"unsubscribe", "scan", "location", "click", "view", "view_miniprogram"}
MAX_AGE_SECONDS = 300  # a signed request older (or newer) than this is refused
BOT, FIXED = "bot", "fixed"  # a turn for Rasa, or a fixed answer from texts/channels.yml
PASSIVE_BYTES = 2000


class WeChatInput(InputChannel):
    """Rasa input channel for one WeChat Official Account."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        """The channel reads its settings from the environment only (``IPPC_*``);
        credentials.yml merely switches it on, so there is one route for each setting."""
        settings = WeChatSettings.from_env()
        if settings is None:
            cls.raise_missing_credentials_exception()
        return cls(settings)

    def __init__(self, settings: WeChatSettings) -> None:
        self.settings = settings
        self.cipher = WeChatCipher(settings.aes_key, settings.appid) if settings.aes_key else None
        self.api = WeChatApi(settings.api_url, settings.appid, settings.secret)
        self.choices = ChoiceMemory()
        self.seen_messages = seen_keys()
        self.background: set[asyncio.Task] = set()

    # ---- sending -------------------------------------------------------------------------

    def _remember(self, openid: str, messages: list[dict[str, Any]]) -> str:
        text, payloads = render_reply(messages)
        self.choices.remember(openid, payloads)
        return text

    async def send_later(self, openid: str, messages: list[dict[str, Any]]) -> bool:
        """Customer-service message(s) to ``openid``: the path for slow answers and pushes."""
        text = self._remember(openid, messages)
        if not text:
            return True
        try:
            await self.api.send_text(openid, text)
        except WeChatApiError as failure:
            logger.error("WeChat customer-service message to %s failed: %s", openid, failure)
            return False
        return True

    async def _push(self, recipient: str, messages: list[dict[str, Any]]) -> delivery.Outcome:
        return "delivered" if await self.send_later(recipient, messages) else "failed"

    def _finish_in_background(self, task: asyncio.Task, openid: str, collector) -> None:  # noqa: ANN001
        async def finish() -> None:
            try:
                await task
            except Exception:  # the bot failed; tell the user politely
                logger.exception("WeChat message handling failed")
                collector.messages[:] = [{"text": say("channels.wechat_sorry")}]
            await self.send_later(openid, collector.messages)

        self._track(asyncio.ensure_future(finish()))

    def _track(self, task: asyncio.Task) -> None:
        """Keep a reference to a background task until it ends."""
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def api_send_quietly(self, openid: str, text: str) -> None:
        try:
            await self.api.send_text(openid, text)
        except WeChatApiError as failure:
            logger.error("WeChat customer-service message to %s failed: %s", openid, failure)

    # ---- receiving -----------------------------------------------------------------------

    def _signed(self, request: Request) -> bool:
        args = request.args
        return signature_ok(
            (self.settings.token, args.get("timestamp", ""), args.get("nonce", "")),
            args.get("signature", ""),
        )

    def _refusal(self, request: Request, now: float | None = None) -> HTTPResponse | None:
        """403 for a wrong signature or a timestamp outside the window, else None."""
        if not self._signed(request):
            return error(403, "signature does not match")
        timestamp = request.args.get("timestamp", "")
        now = time.time() if now is None else now
        if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_AGE_SECONDS:
            return error(403, "timestamp outside the accepted window")
        return None

    def _reply(self, request: Request, to_user: str, from_user: str, text: str) -> HTTPResponse:
        xml = wechat_xml.text_reply(to_user, from_user, text)
        if request.args.get("encrypt_type") == "aes" and self.cipher:
            encrypted = self.cipher.encrypt(xml)
            timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
            xml = wechat_xml.build(
                {
                    "Encrypt": encrypted,
                    "MsgSignature": signature(self.settings.token, timestamp, nonce, encrypted),
                    "TimeStamp": int(timestamp),
                    "Nonce": nonce,
                }
            )
        return response.text(xml, content_type="application/xml; charset=utf-8")

    def _decode(self, request: Request) -> dict[str, str] | HTTPResponse:
        """The message fields, or the 4xx response that refuses the request."""
        try:
            outer = wechat_xml.parse(request.body)
        except wechat_xml.WeChatXmlError as failure:
            return error(400, str(failure))
        if request.args.get("encrypt_type", "raw") not in ("raw", "aes"):
            return error(400, "unknown encrypt_type")
        if request.args.get("encrypt_type") != "aes":
            if self.cipher:  # a downgrade: with a key set, plaintext bodies (unsigned) are refused
                return error(403, "plaintext refused: safe mode is configured")
            return outer
        if not self.cipher:
            return error(400, "safe mode is not configured (IPPC_WECHAT_AES_KEY)")
        encrypted = outer.get("Encrypt", "")
        args = request.args
        if not encrypted:
            return error(400, "safe-mode message without Encrypt")
        if not signature_ok(
            (self.settings.token, args.get("timestamp", ""), args.get("nonce", ""), encrypted),
            args.get("msg_signature", ""),
        ):
            return error(403, "msg_signature does not match")
        try:
            return wechat_xml.parse(self.cipher.decrypt(encrypted))
        except (WeChatCryptoError, wechat_xml.WeChatXmlError) as failure:
            return error(400, f"cannot decrypt: {failure}")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        wechat = Blueprint("ippc_wechat", __name__)

        @wechat.listener("before_server_start")
        async def register(app, _loop) -> None:  # noqa: ANN001 - Sanic's signature
            delivery.register_sender(app, self.name(), self._push)

        @wechat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @wechat.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            refusal = self._refusal(request)
            if refusal:
                return refusal
            echostr = request.args.get("echostr")
            if not echostr:
                return error(400, "echostr missing")
            return response.text(echostr)

        @wechat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = self._refusal(request)
            if refusal:
                return refusal
            problem = body_problem(request, MAX_BODY, XML_TYPES)
            if problem:
                return problem
            fields = self._decode(request)
            if isinstance(fields, HTTPResponse):
                return fields
            return await self._handle(request, fields, on_new_message)

        return wechat

    async def _handle(
        self,
        request: Request,
        fields: dict[str, str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        """One signed, decoded message: checked, de-duplicated, then answered."""
        openid, account = fields.get("FromUserName", ""), fields.get("ToUserName", "")
        msg_type = fields.get("MsgType", "").lower()
        if not openid or not account or not msg_type:
            return error(400, "FromUserName, ToUserName and MsgType are required")
        if msg_type not in NON_TEXT | {"text", "event"}:
            return error(400, f"unknown MsgType {msg_type}")
        key = fields.get("MsgId") or f"{openid}:{fields.get('CreateTime', '')}:{msg_type}"
        replayed = await self._replayed(request, key)
        if replayed:
            return replayed  # 409, or "success" for a request some instance already took
        if not self.seen_messages.add(key, "1"):
            return response.text("success")  # WeChat's retry of a message already answered
        turn = self._user_turn(fields, msg_type, openid)
        if turn is None:
            return response.text("success")  # an event that needs no answer
        kind, text = turn
        if kind == FIXED:
            return self._reply(request, openid, account, say(text))
        return await self._answer(request, fields, text, on_new_message)

    async def _replayed(self, request: Request, key: str) -> HTTPResponse | None:
        """None for a signature used the first time (by any instance); ``success`` for the
        same request again (WeChat's retry, or a replay: one instance has taken it); 409 for
        the signature reused with another message."""
        signed = request.args.get("signature", "")
        seen = await run_sync(replay.first_use, f"wechat:{signed}", key)
        if seen is None:
            return None
        if seen == key:
            return response.text("success")
        return error(409, "timestamp and nonce already used for another message")

    def _user_turn(
        self, fields: dict[str, str], msg_type: str, openid: str
    ) -> tuple[str, str] | None:
        """(BOT, text for Rasa) or (FIXED, key of a fixed answer); None: stay silent."""
        if msg_type in NON_TEXT:
            return FIXED, "channels.non_text"
        if msg_type == "event":
            return (BOT, "/greet") if fields.get("Event", "").lower() == "subscribe" else None
        text = fields.get("Content", "").strip()
        if not text:
            return FIXED, "channels.wechat_empty"
        return BOT, self.choices.resolve(openid, text[:MAX_MESSAGE_CHARS])

    async def _answer(
        self,
        request: Request,
        fields: dict[str, str],
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        """Rasa's answer as the passive reply when ready in time, else as service messages."""
        openid, account = fields["FromUserName"], fields["ToUserName"]
        collector = CollectingOutputChannel()
        message = UserMessage(
            text,
            collector,
            delivery.conversation_id(self.name(), openid),
            input_channel=self.name(),
            message_id=fields.get("MsgId") or None,
            metadata={"wechat": {"openid": openid, "account": account}},
        )
        task = asyncio.ensure_future(on_new_message(message))
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.settings.reply_window)
        except asyncio.TimeoutError:
            self._finish_in_background(task, openid, collector)
            return response.text("success")
        except Exception:  # the bot failed; the user still gets an answer
            logger.exception("WeChat message handling failed")
            return self._reply(request, openid, account, say("channels.wechat_sorry"))
        reply = self._remember(openid, collector.messages)
        if not reply:
            return response.text("success")
        first, *rest = split_text(reply, PASSIVE_BYTES, utf8_len)
        if rest:  # a passive reply holds 2048 bytes: the rest follows as service messages
            self._track(asyncio.ensure_future(self.api_send_quietly(openid, "\n".join(rest))))
        return self._reply(request, openid, account, first)
