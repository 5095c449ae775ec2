"""Finding 3 (and 13): the widget's conversation id is issued by the server with a resume
token; an id the client invents, or an id seen in a ticket, opens nothing; the page's Origin
is checked; each socket has size and rate limits; the demo page is opt-in off loopback and
never builds its script URL from a network Host header."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from channels import widget_tokens
from channels.webchat import BURST_FRAMES, WebchatInput
from tests.channels.channels_harness import ScriptedBot, channel_server

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the public address under test


@pytest.fixture
async def widget(sqlite_db: str) -> AsyncIterator[tuple[str, ScriptedBot]]:
    bot = ScriptedBot()
    async with channel_server([WebchatInput()], bot) as base:
        yield base, bot


async def _hello(base: str, http: aiohttp.ClientSession, **hello: object) -> tuple:
    ws = await http.ws_connect(base.replace("http", "ws") + "/webhooks/webchat/socket")
    await ws.send_json({"type": "hello", **hello})
    welcome = await ws.receive_json(timeout=10)
    assert welcome["type"] == "welcome"
    return ws, welcome


async def test_an_id_the_client_invents_is_never_taken(widget) -> None:
    base, bot = widget
    async with aiohttp.ClientSession() as http:
        ws, welcome = await _hello(base, http, conversation_id="victim-conversation-1")
        assert welcome["conversation_id"] != "victim-conversation-1"
        await ws.send_json({"type": "message", "text": "你好"})
        await ws.receive_json(timeout=10)
        await ws.close()
    assert bot.received[-1].sender_id == f"web:{welcome['conversation_id']}"


async def test_a_conversation_id_seen_in_a_ticket_cannot_resume_it(widget) -> None:
    base, _ = widget
    async with aiohttp.ClientSession() as http:
        owner, first = await _hello(base, http)
        stolen_id = first["conversation_id"]  # what staff see as web:<id> in a ticket
        for forged in (stolen_id, f"{stolen_id}.0.AAAA", f"{stolen_id}.9999999999.x", 42):
            intruder, welcome = await _hello(base, http, resume=forged, conversation_id=stolen_id)
            assert welcome["conversation_id"] != stolen_id
            await intruder.close()
        again, welcome = await _hello(base, http, resume=first["resume"])  # the owner's token
        assert welcome["conversation_id"] == stolen_id
        await owner.close()
        await again.close()


def test_resume_tokens_are_bound_to_the_key_and_expire() -> None:
    conversation, token = widget_tokens.issue("key-one", now=1_000_000)
    assert widget_tokens.resume("key-one", token, now=1_000_100) == conversation
    assert widget_tokens.resume("key-two", token, now=1_000_100) is None
    late = 1_000_000 + widget_tokens.RESUME_SECONDS + 1
    assert widget_tokens.resume("key-one", token, now=late) is None


async def test_a_page_of_another_origin_cannot_open_the_socket(
    widget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, _ = widget
    monkeypatch.setenv("IPPC_WIDGET_ORIGINS", "https://www.ippc.example.cn")
    url = base.replace("http", "ws") + "/webhooks/webchat/socket"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url, headers={"Origin": "https://evil.example.com"})
        assert refused.value.status == 403
        ws = await http.ws_connect(url, headers={"Origin": "https://www.ippc.example.cn"})
        await ws.send_json({"type": "hello"})
        assert (await ws.receive_json(timeout=10))["type"] == "welcome"
        await ws.close()


async def test_a_socket_flooding_messages_is_slowed_down(widget) -> None:
    base, bot = widget
    async with aiohttp.ClientSession() as http:
        ws, _ = await _hello(base, http)
        for number in range(BURST_FRAMES + 5):
            await ws.send_json({"type": "ping", "n": number})
        replies = [await ws.receive_json(timeout=10) for _ in range(BURST_FRAMES + 5)]
        refused = [r for r in replies if r.get("type") == "error"]
        assert len(refused) >= 5 and "slow down" in refused[0]["reason"]
        await ws.close()


async def test_an_oversized_frame_is_refused(widget) -> None:
    base, bot = widget
    async with aiohttp.ClientSession() as http:
        ws, _ = await _hello(base, http)
        await ws.send_str('{"type": "message", "text": "' + "a" * 70_000 + '"}')
        answer = await ws.receive(timeout=10)
        assert answer.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.CLOSE)
        if answer.type == aiohttp.WSMsgType.TEXT:
            assert "larger" in answer.json()["reason"]
        await ws.close()
    assert bot.received == []


async def test_the_demo_page_is_off_on_a_public_address_unless_switched_on(
    widget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, _ = widget
    monkeypatch.setenv("IPPC_HOST", ALL_INTERFACES)
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/webhooks/webchat/demo") as response:
            assert response.status == 404
        monkeypatch.setenv("IPPC_WIDGET_DEMO", "1")
        headers = {"Host": "evil.example.com"}
        async with http.get(base + "/webhooks/webchat/demo", headers=headers) as response:
            page = await response.text()
        assert "evil.example.com" not in page
        assert 'src="/webhooks/webchat/widget.js"' in page
        monkeypatch.setenv("IPPC_PUBLIC_URL", "https://chat.ippc.example.cn")
        async with http.get(base + "/webhooks/webchat/demo", headers=headers) as response:
            page = await response.text()
        assert 'src="https://chat.ippc.example.cn/webhooks/webchat/widget.js"' in page
