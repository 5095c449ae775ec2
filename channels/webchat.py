"""Web widget channel: the widget's files, a demo page, a WebSocket, and the internal push endpoint.

URLs on the Rasa server (prefix ``/webhooks/webchat``):
``/widget.js`` (the embeddable script), ``/widget.css``, ``/config`` (greeting, suggested
questions, assistant and center name, from knowledge_base/data/widget.yml), ``/demo`` (a page
with the snippet),
``/socket`` (WebSocket, JSON frames; protocol in docs/channels.md) and ``/push``
(internal, for ``channels.push``).

The server issues every conversation id with a resume token (``channels.widget_tokens``); the
socket checks the page's Origin against ``IPPC_WIDGET_ORIGINS`` and limits each socket's frame
size and message rate. Rasa sees the conversation as ``web:<id>``.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from websockets.exceptions import ConnectionClosed

from channels import delivery, outbox, widget_tokens
from channels.guards import MAX_FRAME_BYTES, body_problem, error, limit_request_size
from channels.limits import TokenBucket
from channels.proxies import client_address, remote_client
from channels.push import TOKEN_HEADER, validate
from channels.settings import (
    demo_page_enabled,
    internal_token,
    is_loopback,
    public_url,
    widget_origins,
    widget_secret,
)
from channels.urls import WEBCHAT_PREFIX
from core.db import run_sync
from core.limits import MAX_MESSAGE_CHARS
from knowledge_base.base import get_knowledge_base
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.texts import say
from knowledge_base.widget import widget_config

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
PREFIX = WEBCHAT_PREFIX
# Per socket: a burst of this many frames, then one every RATE_SECONDS.
BURST_FRAMES = 10
RATE_SECONDS = 2.0
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
        await run_sync(outbox.store, _qualified(conversation_id), "webchat", messages)
        return "queued"


def _qualified(conversation_id: str) -> str:
    return delivery.conversation_id("webchat", conversation_id)


def allowed_origin(request: Request, allowed: tuple[str, ...]) -> bool:
    """The page's Origin is one of ``allowed`` (or this server itself, for the demo page);
    with nothing configured every origin is allowed (local development)."""
    if not allowed:
        return True
    origin = (request.headers.get("origin") or "").rstrip("/").lower()
    own = f"{request.scheme}://{request.host}".lower()
    return origin in allowed or origin == own


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
        # Without IPPC_WIDGET_SECRET (a Rasa server not started by ``ippc run``), tokens are
        # signed with a key of this process: conversations resume until it restarts.
        self._fallback_secret = secrets.token_urlsafe(32)

    def _secret(self) -> str:
        return widget_secret() or self._fallback_secret

    async def _push(self, recipient: str, messages: list[dict[str, Any]]) -> delivery.Outcome:
        return await self.hub.deliver(recipient, messages)  # type: ignore[return-value]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("ippc_webchat", __name__)

        @webchat.listener("before_server_start")
        async def register(app, _loop) -> None:  # noqa: ANN001 - Sanic's signature
            delivery.register_sender(app, self.name(), self._push)
            limit_request_size(app)

        @webchat.middleware("request")
        async def check_origin(request: Request) -> HTTPResponse | None:
            if request.path.endswith("/socket") and not allowed_origin(request, widget_origins()):
                return error(403, "this page's origin may not use the chat widget")
            return None

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
            if not demo_page_enabled():
                return error(404, "the demo page is switched off (IPPC_WIDGET_DEMO)")
            page = _static("demo.html").decode("utf-8")
            return response.html(page.replace("{{SCRIPT_URL}}", escape(_script_url(request))))

        @webchat.websocket("/socket")
        async def socket(request: Request, ws: Any) -> None:
            client = remote_client(
                client_address(request.ip, request.headers.get("x-forwarded-for"))
            )
            await self._serve_socket(ws, on_new_message, client)

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
            messages = validate(conversation_id, data.get("messages"), channel)
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
            await run_sync(outbox.store, conversation_id, channel, messages)
            outcome = "queued"
        return response.json({"outcome": outcome})

    async def _serve_socket(
        self,
        ws: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        client: str | None = None,
    ) -> None:
        socket = _Socket(ws, client)
        try:
            while True:
                raw = await ws.recv()
                if raw is None:
                    break
                frame = await socket.accept(raw)
                if frame is not None:
                    await self._dispatch(socket, frame, on_new_message)
        except ConnectionClosed:
            pass
        finally:
            if socket.conversation_id:
                self.hub.leave(socket.conversation_id, ws)

    async def _dispatch(
        self,
        socket: _Socket,
        frame: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        kind = frame.get("type")
        if kind == "hello":
            await self._hello(socket, frame)
        elif kind == "message" and socket.conversation_id:
            await self._message(frame, socket, on_new_message)
        elif kind == "ping":
            await socket.send({"type": "pong"})
        else:
            reason = "say hello first" if kind == "message" else f"unknown frame type {kind!r}"
            await socket.send({"type": "error", "reason": reason})

    async def _hello(self, socket: _Socket, frame: dict[str, Any]) -> None:
        """Resume the conversation the token stands for, or start a new one. An id the client
        names without its token is never taken (it may be someone else's)."""
        if socket.conversation_id:
            self.hub.leave(socket.conversation_id, socket.ws)
        secret = self._secret()
        conversation = widget_tokens.resume(secret, frame.get("resume"))
        if conversation is None:
            conversation, token = widget_tokens.issue(secret)
        else:
            token = frame["resume"]
        socket.conversation_id = conversation
        self.hub.join(conversation, socket.ws)
        await socket.send({"type": "welcome", "conversation_id": conversation, "resume": token})
        await self._flush(conversation)

    async def _flush(self, conversation_id: str) -> None:
        """Messages pushed while the user was away, now that a tab is open."""
        pending = await run_sync(outbox.claim, _qualified(conversation_id))
        for message in pending:
            await self.hub.send(
                conversation_id, {"type": "bot", "message": message, "pushed": True}
            )

    async def _message(
        self,
        frame: dict[str, Any],
        socket: _Socket,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        text = frame.get("payload") or frame.get("text")
        if not isinstance(text, str) or not text.strip():
            await socket.send({"type": "error", "reason": "empty message"})
            return
        if len(text) > MAX_MESSAGE_CHARS:
            reason = f"message longer than {MAX_MESSAGE_CHARS} characters"
            await socket.send({"type": "error", "reason": reason})
            return
        conversation_id = socket.conversation_id or ""
        await self.hub.send(conversation_id, {"type": "typing", "on": True})
        try:
            await on_new_message(
                UserMessage(
                    text,
                    WebchatOutput(self.hub, conversation_id),
                    _qualified(conversation_id),
                    input_channel=self.name(),
                    metadata={"client": socket.client} if socket.client else {},
                )
            )
        except Exception:  # the user gets an apology, the socket stays open
            logger.exception("webchat message handling failed")
            await self.hub.send(
                conversation_id, {"type": "bot", "message": {"text": say("channels.sorry")}}
            )
        finally:
            await self.hub.send(conversation_id, {"type": "typing", "on": False})


class _Socket:
    """One open socket: its conversation, and the size and rate limits of its frames."""

    def __init__(self, ws: Any, client: str | None = None) -> None:
        self.ws = ws
        self.client = client
        self.conversation_id: str | None = None
        self.bucket = TokenBucket(BURST_FRAMES, 1 / RATE_SECONDS)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def accept(self, raw: str | bytes) -> dict[str, Any] | None:
        """The frame as a dict, or None after telling the client why it was refused."""
        if len(raw) > MAX_FRAME_BYTES:
            await self.send({"type": "error", "reason": f"frame larger than {MAX_FRAME_BYTES}"})
            return None
        if not self.bucket.take():
            await self.send({"type": "error", "reason": "too many messages: please slow down"})
            return None
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await self.send({"type": "error", "reason": "frame is not a JSON object"})
            return None
        return frame


def _script_url(request: Request) -> str:
    """The snippet's script URL: the configured public URL; else this request's host when it
    is a loopback one (local development); else a path on the page's own host. Never a Host
    header from the network, which a cache could keep and serve to others."""
    path = f"{request.path.rsplit('/', 1)[0]}/widget.js"
    configured = public_url()
    if configured:
        return configured + path
    if is_loopback(request.host.rsplit(":", 1)[0].strip("[]")):
        return f"{request.scheme}://{request.host}{path}"
    return path
