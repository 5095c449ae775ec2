"""Web widget channel over its WebSocket, and the push interface end to end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
import wechat_client_sim as wx
from channels_harness import (
    CANNED,
    ScriptedBot,
    WeChatApiStandIn,
    channel_server,
    serve_aiohttp,
)

from channels import outbox
from channels.push import TOKEN_HEADER, pending_messages, push_messages
from channels.settings import WeChatSettings
from channels.webchat import WebchatInput
from channels.wechat import WeChatInput
from runtime.processes import unused_port

INTERNAL = "internal-test-token"


@dataclass
class WebRig:
    base: str
    bot: ScriptedBot
    wechat_api: WeChatApiStandIn
    http: aiohttp.ClientSession
    resume_tokens: dict = field(default_factory=dict)  # conversation id -> its resume token

    async def connect(
        self, conversation_id: str | None
    ) -> tuple[aiohttp.ClientWebSocketResponse, str]:
        """Open a socket; a conversation this rig was given before is resumed with its token."""
        ws = await self.http.ws_connect(
            self.base.replace("http", "ws") + "/webhooks/webchat/socket"
        )
        resume = self.resume_tokens.get(conversation_id)
        await ws.send_json({"type": "hello", "conversation_id": conversation_id, "resume": resume})
        welcome = await ws.receive_json(timeout=10)
        assert welcome["type"] == "welcome"
        self.resume_tokens[welcome["conversation_id"]] = welcome["resume"]
        return ws, welcome["conversation_id"]


@pytest.fixture
async def rig(sqlite_outbox: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WebRig]:
    api = WeChatApiStandIn(wx.APPID, wx.SECRET)
    bot = ScriptedBot()
    monkeypatch.setenv("IPPC_INTERNAL_TOKEN", INTERNAL)
    async with serve_aiohttp(api.app) as api_url:
        wechat = WeChatInput(
            WeChatSettings(token=wx.TOKEN, appid=wx.APPID, secret=wx.SECRET, api_url=api_url)
        )
        async with (
            channel_server([WebchatInput(), wechat], bot) as base,
            aiohttp.ClientSession() as http,
        ):
            monkeypatch.setenv("IPPC_RASA_URL", base)
            yield WebRig(base, bot, api, http)


async def frames_until_idle(ws: aiohttp.ClientWebSocketResponse) -> list[dict]:
    """Frames of one turn: from typing on to typing off."""
    frames = []
    while True:
        frame = await ws.receive_json(timeout=10)
        frames.append(frame)
        if frame == {"type": "typing", "on": False}:
            return frames


async def test_a_turn_shows_typing_then_the_answer(rig: WebRig) -> None:
    ws, conversation = await rig.connect("web-conversation-0001")
    assert conversation != "web-conversation-0001"  # ids are issued by the server
    await ws.send_json({"type": "message", "text": "buttons"})
    frames = await frames_until_idle(ws)
    assert frames[0] == {"type": "typing", "on": True}
    assert (
        frames[1]["type"] == "bot"
        and frames[1]["message"]["buttons"][0]["payload"] == "/fasttrack_overview"
    )
    # A quick reply sends its payload.
    await ws.send_json({"type": "message", "text": "快速预审", "payload": "/fasttrack_overview"})
    frames = await frames_until_idle(ws)
    assert frames[1]["message"] == {"text": CANNED["/fasttrack_overview"]}
    message = rig.bot.received[-1]
    assert message.sender_id == f"web:{conversation}" and message.input_channel == "webchat"
    await ws.close()


async def test_an_invalid_conversation_id_gets_a_fresh_one(rig: WebRig) -> None:
    for bad in (None, "", "x", "../../etc/passwd", "a" * 65, 42):
        ws, conversation = await rig.connect(bad)
        assert conversation != bad and len(conversation) == 32
        await ws.close()


async def test_bad_frames_get_an_error_and_the_socket_stays_usable(rig: WebRig) -> None:
    ws = await rig.http.ws_connect(rig.base.replace("http", "ws") + "/webhooks/webchat/socket")
    await ws.send_json({"type": "message", "text": "你好"})
    assert (await ws.receive_json(timeout=10))["reason"] == "say hello first"
    await ws.send_json({"type": "hello", "conversation_id": "web-conversation-0002"})
    await ws.receive_json(timeout=10)
    for frame, reason in (
        ("{oops", "frame is not a JSON object"),
        ("[1]", "frame is not a JSON object"),
        (json.dumps({"type": "dance"}), "unknown frame type 'dance'"),
        (json.dumps({"type": "message", "text": "   "}), "empty message"),
        (
            json.dumps({"type": "message", "text": "长" * 2001}),
            "message longer than 2000 characters",
        ),
    ):
        await ws.send_str(frame)
        assert await ws.receive_json(timeout=10) == {"type": "error", "reason": reason}
    assert rig.bot.received == []
    await ws.send_json({"type": "message", "text": "还在吗"})
    assert (await frames_until_idle(ws))[1]["message"]["text"] == "收到：还在吗"


async def test_bot_failure_gets_an_apology_and_the_socket_stays_open(rig: WebRig) -> None:
    ws, _ = await rig.connect("web-conversation-0003")
    await ws.send_json({"type": "message", "text": "boom"})
    assert "抱歉" in (await frames_until_idle(ws))[1]["message"]["text"]
    await ws.send_json({"type": "ping"})
    assert await ws.receive_json(timeout=10) == {"type": "pong"}


async def test_push_reaches_open_tabs_or_waits_in_the_outbox(rig: WebRig) -> None:
    tab1, conversation = await rig.connect("web-conversation-0004")
    tab2, _ = await rig.connect(conversation)
    conversation = f"web:{conversation}"
    assert await push_messages(conversation, "webchat", [{"text": "人工客服：您好，我是小王。"}])
    for tab in (tab1, tab2):
        frame = await tab.receive_json(timeout=10)
        assert frame == {
            "type": "bot",
            "message": {"text": "人工客服：您好，我是小王。"},
            "pushed": True,
        }
    await tab1.close()
    await tab2.close()
    # The user is away: kept, then delivered on the next connection, once.
    assert await push_messages(conversation, "webchat", [{"text": "您的材料已收到。"}])
    assert outbox.pending_count(conversation) == 1
    tab3, _ = await rig.connect(conversation.removeprefix("web:"))
    assert (await tab3.receive_json(timeout=10))["message"] == {"text": "您的材料已收到。"}
    assert outbox.pending_count(conversation) == 0
    await tab3.close()


async def test_push_to_rest_users_waits_for_pending_messages(rig: WebRig) -> None:
    assert await push_messages("rest:user-1", "rest", [{"text": "人工客服已回复"}])
    assert pending_messages("rest:user-1") == [{"text": "人工客服已回复"}]
    assert pending_messages("rest:user-1") == []


async def test_push_to_wechat_sends_a_customer_service_message(rig: WebRig) -> None:
    ok = await push_messages(
        f"wechat:{wx.OPENID}",
        "wechat",
        [{"text": "请选择：", "buttons": [{"title": "满意", "payload": "/thanks"}]}],
    )
    assert ok
    sent = await rig.wechat_api.wait_for(1)
    assert sent[0]["body"]["touser"] == wx.OPENID
    assert "1. 满意" in sent[0]["body"]["text"]["content"]


async def test_push_endpoint_refuses_without_the_internal_token(rig: WebRig) -> None:
    url = rig.base + "/webhooks/webchat/push"
    body = {
        "conversation_id": "web:conversation-0005",
        "channel": "webchat",
        "messages": [{"text": "x"}],
    }
    for headers in ({}, {TOKEN_HEADER: "guess"}):
        async with rig.http.post(url, json=body, headers=headers) as resp:
            assert resp.status == 403
    async with rig.http.post(
        url, data=b"{bad", headers={TOKEN_HEADER: INTERNAL, "Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400
    async with rig.http.post(
        url,
        json={**body, "conversation_id": "telegram:5", "channel": "telegram"},
        headers={TOKEN_HEADER: INTERNAL},
    ) as resp:
        assert resp.status == 404 and (await resp.json())["outcome"] == "failed"
    assert outbox.pending_count("web:conversation-0005") == 0


async def test_push_when_the_server_is_down_keeps_webchat_messages(
    rig: WebRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPPC_RASA_URL", f"http://127.0.0.1:{unused_port()}")
    assert await push_messages("web:conversation-0006", "webchat", [{"text": "稍后送达"}])
    assert outbox.pending_count("web:conversation-0006") == 1
    assert not await push_messages("telegram:1", "telegram", [{"text": "x"}])  # not configured


async def test_widget_files_and_demo_page_are_served(rig: WebRig) -> None:
    async with rig.http.get(rig.base + "/webhooks/webchat/widget.js") as resp:
        assert resp.status == 200 and resp.content_type == "application/javascript"
        assert "attachShadow" in await resp.text()
    async with rig.http.get(rig.base + "/webhooks/webchat/widget.css") as resp:
        assert resp.status == 200 and resp.content_type == "text/css"
    async with rig.http.get(rig.base + "/webhooks/webchat/demo") as resp:
        page = await resp.text()
    assert f'<script src="{rig.base}/webhooks/webchat/widget.js" defer></script>' in page
    async with rig.http.get(rig.base + "/webhooks/webchat/widget.py") as resp:
        assert resp.status == 404
