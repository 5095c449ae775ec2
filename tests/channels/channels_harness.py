"""Test harness for the channels: a Sanic server carrying our channel blueprints with a
scripted stand-in for Rasa's agent, and stand-ins of the WeChat and Telegram APIs (aiohttp
servers on 127.0.0.1). Our own channel code runs for real."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from runtime.processes import unused_port

LONG_TEXT = "\n".join(f"第{i}段：" + "知识产权保护" * 40 for i in range(40))  # ~10 000 chars


CANNED = {
    "/fasttrack_overview": "专利快速预审是保护中心为备案主体提供的快速通道，详见 https://www.cnipa.gov.cn/ 。"
}


@dataclass
class ScriptedBot:
    """Stands in for Rasa's agent: answers by fixed rules and records what it was asked."""

    received: list[UserMessage] = field(default_factory=list)
    # "slow" waits for this event: the test decides when the answer is ready.
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        text = message.text or ""
        if text == "slow":
            await self.release.wait()
            reply: dict[str, Any] = {"text": "慢慢来的回答"}
        elif text in CANNED:
            reply = {"text": CANNED[text]}
        elif text in ("buttons", "有哪些业务"):
            reply = {
                "text": "请选择您要咨询的业务：",
                "buttons": [
                    {"title": "快速预审", "payload": "/fasttrack_overview"},
                    {"title": "维权援助", "payload": "/dispute_routes"},
                    {"title": "官网", "url": "https://www.cnipa.gov.cn/"},
                ],
            }
        elif text == "long":
            reply = {"text": LONG_TEXT}
        elif text == "boom":
            raise RuntimeError("the bot failed")
        elif text == "/greet":
            reply = {"text": "您好！欢迎关注知识产权保护中心。"}
        else:
            reply = {"text": f"收到：{text}"}
        await message.output_channel.send_response(message.sender_id, reply)

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


@asynccontextmanager
async def channel_server(
    channels: list[InputChannel], on_new_message: ScriptedBot
) -> AsyncIterator[str]:
    """Serve the channels' blueprints under /webhooks/ as Rasa does; yields the base URL."""
    Sanic.test_mode = True
    app = Sanic(f"channels_test_{uuid.uuid4().hex[:8]}")
    for channel in channels:
        app.blueprint(
            channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}"
        )
    async with serve_sanic(app) as url:
        yield url


@asynccontextmanager
async def serve_sanic(app: Sanic) -> AsyncIterator[str]:
    """A Sanic app on a free loopback port, started and stopped as Rasa's server does."""
    port = unused_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


@asynccontextmanager
async def serve_aiohttp(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class WeChatApiStandIn:
    """The parts of api.weixin.qq.com we use: /cgi-bin/token and /cgi-bin/message/custom/send."""

    def __init__(self, appid: str, secret: str) -> None:
        self.appid, self.secret = appid, secret
        self.tokens_issued = 0
        self.revoked: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.refusals: list[dict[str, Any]] = []
        self.arrived = asyncio.Condition()
        self.app = web.Application()
        self.app.router.add_get("/cgi-bin/token", self.token)
        self.app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)

    async def token(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("appid") != self.appid or query.get("secret") != self.secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self.tokens_issued += 1
        return web.json_response(
            {"access_token": f"ACCESS{self.tokens_issued}", "expires_in": 7200}
        )

    async def custom_send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        raw = await request.read()
        if token in self.revoked or not token.startswith("ACCESS"):
            self.refusals.append({"token": token})
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        body = json.loads(raw)
        async with self.arrived:
            self.sent.append({"token": token, "body": body, "raw": raw.decode("utf-8")})
            self.arrived.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.sent) >= count), timeout)
        return self.sent


class TelegramApiStandIn:
    """The Bot API methods we use, at /bot<token>/<method> (form or JSON parameters)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.arrived = asyncio.Condition()
        self.app = web.Application()
        self.app.router.add_post("/bot{token}/{method}", self.method)

    async def method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        name = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        if isinstance(params.get("reply_markup"), str):
            params["reply_markup"] = json.loads(params["reply_markup"])
        async with self.arrived:
            self.calls.append((name, params))
            self.arrived.notify_all()
        if name == "sendMessage":
            result: Any = {
                "message_id": len(self.calls),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    async def wait_for(self, method: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: len(self.sent(method)) >= count), timeout
            )
        return self.sent(method)
