"""Web widget channel: the widget's files, a demo page, a WebSocket, and the internal push endpoint.

URLs on the Rasa server (prefix ``/webhooks/webchat``):
``/widget.js`` (the embeddable script), ``/widget.css``, ``/config`` (greeting, suggested
questions, assistant and center name, from knowledge_base/data/widget.yml), ``/demo`` (a page
with the snippet),
``/socket`` (WebSocket, JSON frames; protocol in docs/channels.md) and ``/push``
(internal, for ``channels.push``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from websockets.exceptions import ConnectionClosed

from channels import delivery, outbox
from channels.guards import body_problem, error
from channels.push import TOKEN_HEADER, validate
from channels.settings import internal_token
from channels.urls import WEBCHAT_PREFIX
from knowledge_base.base import get_knowledge_base
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.widget import widget_config

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
PREFIX = WEBCHAT_PREFIX
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 2000
MAX_PUSH_BODY = 256 * 1024
STATIC_TYPES = {".js": "application/javascript", ".css": "text/css", ".html": "text/html"}


class WebchatHub:
    """The open sockets of each conversation (one per browser tab)."""

    def __init__(self) -> None:
        self.sockets: dict[str, set[Any]] = {}

    def join(self, conversation_id: str, socket: Any) -> None:
        self.sockets.setdefault(conversation_id, set()).add(socket)

    def leave(self, conversation_id: str, socket: Any) -> None:
        sockets = self.sockets.get(conversation_id, set())
        sockets.discard(socket)
        if not sockets:
            self.sockets.pop(conversation_id, None)

    async def send(self, conversation_id: str, frame: dict[str, Any]) -> int:
        """Send ``frame`` to every open tab of the conversation; returns how many got it."""
        text = json.dumps(frame, ensure_ascii=False)
        sent = 0
        for socket in list(self.sockets.get(conversation_id, ())):
            try:
                await socket.send(text)
                sent += 1
            except (ConnectionClosed, OSError):
                self.leave(conversation_id, socket)
        return sent

    async def deliver(self, conversation_id: str, messages: list[dict[str, Any]]) -> str:
        """Pushed messages: to the open tabs, or into the outbox until the user comes back."""
        if conversation_id in self.sockets:
            sent = 0
            for message in messages:
                sent = await self.send(
                    conversation_id, {"type": "bot", "message": message, "pushed": True}
                )
            if sent:
                return "delivered"
        await asyncio.get_running_loop().run_in_executor(
            None, outbox.store, conversation_id, "webchat", messages
        )
        return "queued"


class WebchatOutput(OutputChannel):
    """Bot messages of one turn, sent to every tab of the conversation as they come."""

    def __init__(self, hub: WebchatHub, conversation_id: str) -> None:
        self.hub = hub
        self.conversation_id = conversation_id

    @classmethod
    def name(cls) -> str:
        return "webchat"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        kept = {
            k: v
            for k, v in message.items()
            if k in ("text", "buttons", "image", "attachment", "quick_replies") and v
        }
        if "quick_replies" in kept:
            kept["buttons"] = kept.pop("quick_replies")
        if kept:
            await self.hub.send(self.conversation_id, {"type": "bot", "message": kept})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


def _widget_config() -> HTTPResponse:
    """The widget's first view (greeting, suggestions, names) from the knowledge base."""
    try:
        body = widget_config(get_knowledge_base())
    except KnowledgeBaseError as failure:
        logger.error("widget config: %s", failure)
        return error(500, "widget configuration unavailable")
    return response.json(
        body, headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
    )


def _static(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


class WebchatInput(InputChannel):
    """Rasa input channel for the embeddable web widget (always switched on)."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebchatInput:
        return cls()

    def __init__(self) -> None:
        self.hub = WebchatHub()

    async def _push(self, recipient: str, messages: list[dict[str, Any]]) -> delivery.Outcome:
        return await self.hub.deliver(recipient, messages)  # type: ignore[return-value]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("ippc_webchat", __name__)

        @webchat.listener("before_server_start")
        async def register(app, _loop) -> None:  # noqa: ANN001 - Sanic's signature
            delivery.register_sender(app, self.name(), self._push)

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        def static(name: str) -> Callable[[Request], Awaitable[HTTPResponse]]:
            async def serve(_: Request) -> HTTPResponse:
                return response.raw(
                    _static(name),
                    content_type=STATIC_TYPES[Path(name).suffix] + "; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"},
                )

            return serve

        for name in ("widget.js", "widget.css"):
            webchat.add_route(
                static(name), f"/{name}", methods=["GET"], name=name.replace(".", "_")
            )

        @webchat.route("/config", methods=["GET"])
        async def config(_: Request) -> HTTPResponse:
            return _widget_config()

        @webchat.route("/demo", methods=["GET"])
        async def demo(request: Request) -> HTTPResponse:
            script_url = (
                f"{request.scheme}://{request.host}{request.path.rsplit('/', 1)[0]}/widget.js"
            )
            page = (
                _static("demo.html").decode("utf-8").replace("{{SCRIPT_URL}}", escape(script_url))
            )
            return response.html(page)

        @webchat.websocket("/socket")
        async def socket(request: Request, ws: Any) -> None:
            await self._serve_socket(ws, on_new_message)

        @webchat.route("/push", methods=["POST"])
        async def push(request: Request) -> HTTPResponse:
            return await self._serve_push(request)

        return webchat

    async def _serve_push(self, request: Request) -> HTTPResponse:
        token = internal_token()
        given = request.headers.get(TOKEN_HEADER, "")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return error(403, "internal token missing or wrong")
        problem = body_problem(request, MAX_PUSH_BODY, ("application/json",))
        if problem:
            return problem
        try:
            data = json.loads(request.body or b"")
            channel = str(data.get("channel") or "")
            conversation_id = data.get("conversation_id")
            messages = validate(conversation_id, data.get("messages"))
        except (ValueError, AttributeError, UnicodeDecodeError) as failure:
            return error(400, f"bad push request: {failure}")
        if channel in ("webchat", "wechat", "telegram"):
            sender = delivery.get_sender(request.app, channel)
            if sender is None:
                return response.json(
                    {"outcome": "failed", "error": f"{channel} is not switched on"}, status=404
                )
            outcome = await sender(delivery.recipient(channel, conversation_id), messages)
        else:
            await asyncio.get_running_loop().run_in_executor(
                None, outbox.store, conversation_id, "rest", messages
            )
            outcome = "queued"
        return response.json({"outcome": outcome})

    async def _serve_socket(
        self, ws: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        conversation_id: str | None = None
        try:
            while True:
                raw = await ws.recv()
                if raw is None:
                    break
                try:
                    frame = json.loads(raw)
                    kind = frame.get("type")
                except (ValueError, AttributeError):
                    await ws.send(
                        json.dumps({"type": "error", "reason": "frame is not a JSON object"})
                    )
                    continue
                if kind == "hello":
                    if conversation_id:
                        self.hub.leave(conversation_id, ws)
                    conversation_id = self._conversation(frame.get("conversation_id"))
                    self.hub.join(conversation_id, ws)
                    await ws.send(
                        json.dumps({"type": "welcome", "conversation_id": conversation_id})
                    )
                    await self._flush(conversation_id)
                elif kind == "message" and conversation_id:
                    await self._message(frame, conversation_id, on_new_message, ws)
                elif kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                else:
                    reason = (
                        "say hello first" if kind == "message" else f"unknown frame type {kind!r}"
                    )
                    await ws.send(json.dumps({"type": "error", "reason": reason}))
        except ConnectionClosed:
            pass
        finally:
            if conversation_id:
                self.hub.leave(conversation_id, ws)

    @staticmethod
    def _conversation(requested: Any) -> str:
        if isinstance(requested, str) and CONVERSATION_ID.match(requested):
            return requested
        return uuid.uuid4().hex

    async def _flush(self, conversation_id: str) -> None:
        """Messages pushed while the user was away, now that a tab is open."""
        pending = await asyncio.get_running_loop().run_in_executor(
            None, outbox.claim, conversation_id
        )
        for message in pending:
            await self.hub.send(
                conversation_id, {"type": "bot", "message": message, "pushed": True}
            )

    async def _message(
        self,
        frame: dict[str, Any],
        conversation_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        ws: Any,
    ) -> None:
        text = frame.get("payload") or frame.get("text")
        if not isinstance(text, str) or not text.strip():
            await ws.send(json.dumps({"type": "error", "reason": "empty message"}))
            return
        if len(text) > MAX_TEXT:
            await ws.send(
                json.dumps(
                    {"type": "error", "reason": f"message longer than {MAX_TEXT} characters"},
                    ensure_ascii=False,
                )
            )
            return
        await self.hub.send(conversation_id, {"type": "typing", "on": True})
        try:
            await on_new_message(
                UserMessage(
                    text,
                    WebchatOutput(self.hub, conversation_id),
                    conversation_id,
                    input_channel=self.name(),
                )
            )
        except Exception:  # the user gets an apology, the socket stays open
            logger.exception("webchat message handling failed")
            await self.hub.send(
                conversation_id,
                {"type": "bot", "message": {"text": "抱歉，系统暂时无法回答，请稍后再试。"}},
            )
        finally:
            await self.hub.send(conversation_id, {"type": "typing", "on": False})
