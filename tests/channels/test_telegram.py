"""Telegram channel against a stand-in of the Bot API (python-telegram-bot talks to it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from channels_harness import (
    LONG_TEXT,
    ScriptedBot,
    TelegramApiStandIn,
    channel_server,
    serve_aiohttp,
)

from channels.settings import TelegramSettings
from channels.telegram import POLITE_NON_TEXT, SECRET_HEADER, TelegramInput

TOKEN = "123456:TEST-token"
SECRET = "telegram-webhook-secret"
CHAT = 777000111


def text_update(update_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1700000000,
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "测试"},
            "text": text,
        },
    }


def callback_update(update_id: int, data: str) -> dict:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "chat_instance": "ci",
            "from": {"id": CHAT, "is_bot": False, "first_name": "测试"},
            "data": data,
            "message": {
                "message_id": 1,
                "date": 1700000000,
                "chat": {"id": CHAT, "type": "private"},
                "text": "请选择",
            },
        },
    }


@dataclass
class TelegramRig:
    url: str
    bot: ScriptedBot
    api: TelegramApiStandIn
    http: aiohttp.ClientSession

    async def post(self, body, secret: str | None = SECRET, **kwargs) -> tuple[int, dict]:
        headers = kwargs.pop("headers", {})
        if secret is not None:
            headers[SECRET_HEADER] = secret
        if isinstance(body, dict):
            kwargs["json"] = body
        else:
            kwargs["data"] = body
        async with self.http.post(self.url, headers=headers, **kwargs) as resp:
            return resp.status, await resp.json(content_type=None)


@pytest.fixture
async def rig() -> AsyncIterator[TelegramRig]:
    api = TelegramApiStandIn(TOKEN)
    bot = ScriptedBot()
    async with serve_aiohttp(api.app) as api_url:
        channel = TelegramInput(TelegramSettings(token=TOKEN, secret=SECRET, api_url=api_url))
        async with channel_server([channel], bot) as base, aiohttp.ClientSession() as http:
            yield TelegramRig(f"{base}/webhooks/telegram/webhook", bot, api, http)


async def test_text_message_is_answered_with_send_message(rig: TelegramRig) -> None:
    status, _ = await rig.post(text_update(1, "你好"))
    assert status == 200
    sent = rig.api.sent()
    assert len(sent) == 1
    assert int(sent[0]["chat_id"]) == CHAT and sent[0]["text"] == "收到：你好"
    message = rig.bot.received[0]
    assert message.sender_id == f"telegram:{CHAT}" and message.input_channel == "telegram"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
async def test_wrong_or_missing_secret_is_refused(rig: TelegramRig, secret: str | None) -> None:
    status, body = await rig.post(text_update(2, "你好"), secret=secret)
    assert status == 403 and "secret" in body["error"]
    assert rig.bot.received == [] and rig.api.calls == []


async def test_channel_without_a_configured_secret_refuses_everything() -> None:
    bot = ScriptedBot()
    channel = TelegramInput(TelegramSettings(token=TOKEN, secret="", api_url="http://127.0.0.1:9"))
    async with channel_server([channel], bot) as base, aiohttp.ClientSession() as http:
        for header in ({}, {SECRET_HEADER: ""}):
            async with http.post(
                f"{base}/webhooks/telegram/webhook", json=text_update(3, "hi"), headers=header
            ) as resp:
                assert resp.status == 403
    assert bot.received == []


async def test_buttons_become_an_inline_keyboard_and_callbacks_are_answered(
    rig: TelegramRig,
) -> None:
    await rig.post(text_update(4, "buttons"))
    keyboard = rig.api.sent()[0]["reply_markup"]["inline_keyboard"]
    assert keyboard == [
        [{"text": "快速预审", "callback_data": "/fasttrack_overview"}],
        [{"text": "维权援助", "callback_data": "/dispute_routes"}],
        [{"text": "官网", "url": "https://www.cnipa.gov.cn/"}],
    ]
    status, _ = await rig.post(callback_update(5, "/dispute_routes"))
    assert status == 200
    assert [c["callback_query_id"] for c in rig.api.sent("answerCallbackQuery")] == ["cb5"]
    assert rig.bot.texts() == ["buttons", "/dispute_routes"]
    assert rig.api.sent()[-1]["text"] == "收到：/dispute_routes"


async def test_long_payloads_travel_as_keys(rig: TelegramRig) -> None:
    long_payload = (
        '/inform{"center": "中国（北京）知识产权保护中心", "tech_field": "新一代信息技术"}'
    )
    sender = TelegramInput(TelegramSettings(token=TOKEN, secret=SECRET)).sender
    data = sender.callback_data(long_payload)
    assert len(data.encode()) <= 64 and sender.payload(data) == long_payload
    assert sender.payload("#unknown") is None


async def test_long_messages_are_split_at_telegrams_limit(rig: TelegramRig) -> None:
    await rig.post(text_update(6, "long"))
    texts = [params["text"] for params in rig.api.sent()]
    assert len(texts) >= 3
    assert all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in texts)
    assert "".join(texts).replace("\n", "") == LONG_TEXT.replace("\n", "")


async def test_emoji_count_twice_towards_the_limit() -> None:
    from channels.render import split_text, utf16_len

    pieces = split_text("😀" * 3000, 4096, utf16_len)
    assert [utf16_len(p) for p in pieces] == [4096, 1904]


async def test_repeated_update_is_answered_once(rig: TelegramRig) -> None:
    await rig.post(text_update(7, "你好"))
    status, body = await rig.post(text_update(7, "你好"))
    assert status == 200 and body.get("duplicate") is True
    assert rig.bot.texts() == ["你好"] and len(rig.api.sent()) == 1


async def test_start_command_greets_and_stickers_get_a_polite_answer(rig: TelegramRig) -> None:
    await rig.post(text_update(8, "/start"))
    assert rig.bot.texts() == ["/greet"]
    sticker = text_update(9, "")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {
        "file_id": "f",
        "file_unique_id": "u",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    status, _ = await rig.post(sticker)
    assert status == 200 and rig.api.sent()[-1]["text"] == POLITE_NON_TEXT
    assert rig.bot.texts() == ["/greet"]


async def test_known_but_unhandled_updates_are_acknowledged(rig: TelegramRig) -> None:
    edited = text_update(10, "改过的")
    edited["edited_message"] = edited.pop("message")
    status, body = await rig.post(edited)
    assert status == 200 and body["ignored"] == ["edited_message"]
    assert rig.bot.received == []


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400),
        (b"[1, 2, 3]", {"Content-Type": "application/json"}, 400),
        (b'{"message": {"text": "hi"}}', {"Content-Type": "application/json"}, 400),
        (b'{"update_id": 11, "hologram": {}}', {"Content-Type": "application/json"}, 400),
        (
            b'{"update_id": 12, "message": {"text": "no chat"}}',
            {"Content-Type": "application/json"},
            400,
        ),
        (b'{"update_id": 13, "message": {}}', {"Content-Type": "text/xml"}, 415),
        (
            b'{"update_id": 14, "pad": "' + b"x" * 1_100_000 + b'"}',
            {"Content-Type": "application/json"},
            413,
        ),
        (b"\xff\xfe\x00", {"Content-Type": "application/json"}, 400),
    ],
    ids=[
        "malformed",
        "not-object",
        "no-update-id",
        "unknown-type",
        "malformed-message",
        "xml",
        "oversized",
        "binary",
    ],
)
async def test_bad_input_gets_a_clear_4xx(
    rig: TelegramRig, body: bytes, headers: dict, status: int
) -> None:
    got, answer = await rig.post(body, headers=headers)
    assert got == status and "error" in answer
    assert rig.bot.received == [] and rig.api.calls == []
