"""WeChat Official Account channel: ``/webhooks/wechat/webhook`` (GET verification, POST messages).

Every request is signed by WeChat with the account's token; a mismatch is refused with 403 before
anything is read. Text messages go to Rasa; the answer is sent as the passive XML reply when
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

from channels import delivery, wechat_xml
from channels.choices import ChoiceMemory, seen_keys
from channels.guards import body_problem, error
from channels.render import render_reply, split_text, utf8_len
from channels.settings import WeChatSettings
from channels.wechat_api import WeChatApi, WeChatApiError
from channels.wechat_crypto import WeChatCipher, WeChatCryptoError, signature, signature_ok

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
POLITE_NON_TEXT = "您好，我目前只能读懂文字消息。请用文字描述您的问题，例如“专利预审需要什么材料”。"
SORRY = "抱歉，系统暂时无法回答，请稍后再试，或拨打中心电话咨询。"
EMPTY_TEXT = "请输入您要咨询的问题。"
MAX_TEXT = 2000
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
        self.seen_nonces = seen_keys()
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
                collector.messages[:] = [{"text": SORRY}]
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
            if not self._signed(request):
                return error(403, "signature does not match")
            echostr = request.args.get("echostr")
            if not echostr:
                return error(400, "echostr missing")
            return response.text(echostr)

        @wechat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._signed(request):
                return error(403, "signature does not match")
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
        openid, account = fields.get("FromUserName", ""), fields.get("ToUserName", "")
        msg_type = fields.get("MsgType", "").lower()
        if not openid or not account or not msg_type:
            return error(400, "FromUserName, ToUserName and MsgType are required")
        if msg_type not in NON_TEXT | {"text", "event"}:
            return error(400, f"unknown MsgType {msg_type}")
        key = fields.get("MsgId") or f"{openid}:{fields.get('CreateTime', '')}:{msg_type}"
        nonce_key = f"{request.args.get('timestamp', '')}:{request.args.get('nonce', '')}"
        if self.seen_nonces.get(nonce_key) not in (None, key):
            return error(409, "timestamp and nonce already used for another message")
        self.seen_nonces.add(nonce_key, key)
        if not self.seen_messages.add(key, "1"):
            return response.text("success")  # WeChat's retry of a message already answered

        if msg_type in NON_TEXT:
            return self._reply(request, openid, account, POLITE_NON_TEXT)
        if msg_type == "event":
            event = fields.get("Event", "").lower()
            if event != "subscribe":
                return response.text("success")
            text = "/greet"
        else:
            text = fields.get("Content", "").strip()
            if not text:
                return self._reply(request, openid, account, EMPTY_TEXT)
            text = self.choices.resolve(openid, text[:MAX_TEXT])

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
            return self._reply(request, openid, account, SORRY)
        text = self._remember(openid, collector.messages)
        if not text:
            return response.text("success")
        first, *rest = split_text(text, PASSIVE_BYTES, utf8_len)
        if rest:  # a passive reply holds 2048 bytes: the rest follows as service messages
            self._track(asyncio.ensure_future(self.api_send_quietly(openid, "\n".join(rest))))
        return self._reply(request, openid, account, first)
