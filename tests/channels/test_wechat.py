"""WeChat Official Account channel against a stand-in of WeChat's API (no mocks of our code)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
import wechat_client_sim as wx
from channels_harness import LONG_TEXT, ScriptedBot, WeChatApiStandIn, channel_server, serve_aiohttp

from channels.settings import WeChatSettings
from channels.wechat import WeChatInput
from knowledge_base.texts import say


@dataclass
class WeChatRig:
    url: str  # the webhook
    bot: ScriptedBot
    api: WeChatApiStandIn
    channel: WeChatInput
    http: aiohttp.ClientSession

    async def post(
        self, body: str | bytes, query: dict | None = None, **kwargs
    ) -> aiohttp.ClientResponse:
        headers = kwargs.pop("headers", {"Content-Type": "text/xml"})
        async with self.http.post(
            self.url, params=query or wx.signed_query(), data=body, headers=headers, **kwargs
        ) as resp:
            await resp.read()
            return resp

    async def say(
        self, content: str, msg_id: int, nonce: str | None = None, timestamp: str | None = None
    ) -> tuple[int, str]:
        query = wx.signed_query(timestamp=timestamp, nonce=nonce or f"nonce{msg_id}")
        async with self.http.post(
            self.url,
            params=query,
            data=wx.text_xml(content, msg_id).encode(),
            headers={"Content-Type": "text/xml"},
        ) as resp:
            return resp.status, await resp.text()


@pytest.fixture(params=["plaintext"])
async def rig(request: pytest.FixtureRequest, sqlite_outbox: str) -> AsyncIterator[WeChatRig]:
    """Plaintext mode (no AES key: with one, plaintext is refused); ``safe`` for safe mode."""
    api = WeChatApiStandIn(wx.APPID, wx.SECRET)
    bot = ScriptedBot()
    async with serve_aiohttp(api.app) as api_url:
        settings = WeChatSettings(
            token=wx.TOKEN,
            appid=wx.APPID,
            aes_key=wx.AES_KEY if request.param == "safe" else "",
            secret=wx.SECRET,
            api_url=api_url,
            reply_window=0.5,
        )
        channel = WeChatInput(settings)
        async with channel_server([channel], bot) as base, aiohttp.ClientSession() as http:
            yield WeChatRig(f"{base}/webhooks/wechat/webhook", bot, api, channel, http)


async def test_url_verification_echoes_only_when_signed(rig: WeChatRig) -> None:
    query = {**wx.signed_query(), "echostr": "echo-4711"}
    async with rig.http.get(rig.url, params=query) as resp:
        assert resp.status == 200 and await resp.text() == "echo-4711"
    forged = {**query, "signature": wx.sign("other-token", query["timestamp"], "n0nce")}
    async with rig.http.get(rig.url, params=forged) as resp:
        assert resp.status == 403
    async with rig.http.get(rig.url, params={"echostr": "x"}) as resp:
        assert resp.status == 403


async def test_text_message_gets_a_passive_xml_reply(rig: WeChatRig) -> None:
    status, body = await rig.say("你好", 1001)
    assert status == 200
    reply = wx.fields(body)
    assert reply["ToUserName"] == wx.OPENID and reply["FromUserName"] == wx.ACCOUNT
    assert reply["MsgType"] == "text" and reply["Content"] == "收到：你好"
    assert reply["CreateTime"].isdigit()
    message = rig.bot.received[0]
    assert message.sender_id == f"wechat:{wx.OPENID}" and message.input_channel == "wechat"


async def test_forged_signature_is_refused_and_nothing_processed(rig: WeChatRig) -> None:
    forged = wx.signed_query(token="guessed-token")
    resp = await rig.post(wx.text_xml("你好", 1002), query=forged)
    assert resp.status == 403
    resp = await rig.post(wx.text_xml("你好", 1002), query={"timestamp": "1", "nonce": "2"})
    assert resp.status == 403
    assert rig.bot.received == []
    # The same message, correctly signed afterwards, is not mistaken for a duplicate.
    status, _ = await rig.say("你好", 1002)
    assert status == 200 and rig.bot.texts() == ["你好"]


@pytest.mark.parametrize("rig", ["safe"], indirect=True)
async def test_safe_mode_round_trip(rig: WeChatRig) -> None:
    encrypted = wx.encrypt(wx.text_xml("预审要收费吗", 1003))
    signed = wx.signed_query(nonce="safe1")
    query = {
        **signed,
        "encrypt_type": "aes",
        "msg_signature": wx.sign(wx.TOKEN, signed["timestamp"], "safe1", encrypted),
    }
    body = f"<xml><ToUserName>{wx.ACCOUNT}</ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    async with rig.http.post(rig.url, params=query, data=body.encode()) as resp:
        assert resp.status == 200
        outer = wx.fields(await resp.text())
    assert outer["MsgSignature"] == wx.sign(
        wx.TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"]
    )
    inner = wx.fields(wx.decrypt(outer["Encrypt"]))
    assert inner["Content"] == "收到：预审要收费吗" and inner["ToUserName"] == wx.OPENID


@pytest.mark.parametrize("rig", ["safe"], indirect=True)
async def test_safe_mode_refuses_a_tampered_message(rig: WeChatRig) -> None:
    encrypted = wx.encrypt(wx.text_xml("你好", 1004))
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    wrong_sig = {**wx.signed_query(nonce="safe2"), "encrypt_type": "aes", "msg_signature": "0" * 40}
    assert (await rig.post(body, query=wrong_sig)).status == 403
    garbage = "QUJD" * 8
    signed = wx.signed_query(nonce="safe3")
    query = {
        **signed,
        "encrypt_type": "aes",
        "msg_signature": wx.sign(wx.TOKEN, signed["timestamp"], "safe3", garbage),
    }
    assert (await rig.post(f"<xml><Encrypt>{garbage}</Encrypt></xml>", query=query)).status == 400
    assert rig.bot.received == []


async def test_slow_answer_goes_out_as_customer_service_message(rig: WeChatRig) -> None:
    status, body = await rig.say("slow", 1005)
    assert (status, body) == (200, "success")
    assert rig.api.sent == []  # nothing yet: the bot has not answered
    rig.bot.release.set()
    sent = await rig.api.wait_for(1)
    assert sent[0]["body"] == {
        "touser": wx.OPENID,
        "msgtype": "text",
        "text": {"content": "慢慢来的回答"},
    }
    assert "慢慢来的回答" in sent[0]["raw"]  # characters, not \\u escapes
    # A second slow answer reuses the cached access token.
    rig.bot.release.clear()
    assert await rig.say("slow", 1006) == (200, "success")
    rig.bot.release.set()
    await rig.api.wait_for(2)
    assert rig.api.tokens_issued == 1 and rig.api.sent[1]["token"] == "ACCESS1"
    # A revoked token is replaced once and the message still goes out.
    rig.api.revoked.add("ACCESS1")
    rig.bot.release.clear()
    assert await rig.say("slow", 1007) == (200, "success")
    rig.bot.release.set()
    await rig.api.wait_for(3)
    assert rig.api.tokens_issued == 2 and rig.api.sent[2]["token"] == "ACCESS2"


async def test_retried_msgid_is_answered_once(rig: WeChatRig) -> None:
    now = str(int(time.time()))  # WeChat's retry repeats the request as it was signed
    first = await rig.say("你好", 1008, nonce="retry", timestamp=now)
    again = await rig.say("你好", 1008, nonce="retry", timestamp=now)
    later = await rig.say("你好", 1008, nonce="retry-2")
    assert "收到：你好" in first[1]
    assert again == (200, "success") and later == (200, "success")
    assert rig.bot.texts() == ["你好"]


async def test_replayed_signature_with_another_message_is_refused(rig: WeChatRig) -> None:
    # One timestamp for both: signed a second apart they would be two different signatures.
    now = str(int(time.time()))
    await rig.say("你好", 1009, nonce="once", timestamp=now)
    status, _ = await rig.say("转人工", 1010, nonce="once", timestamp=now)
    assert status == 409
    assert rig.bot.texts() == ["你好"]


async def test_subscribe_is_greeted_other_events_are_quiet(rig: WeChatRig) -> None:
    resp_body = None
    async with rig.http.post(
        rig.url,
        params=wx.signed_query(nonce="sub"),
        data=wx.typed_xml("event", "<Event>subscribe</Event>"),
    ) as resp:
        resp_body = await resp.text()
    assert wx.fields(resp_body)["Content"] == "您好！欢迎关注知识产权保护中心。"
    assert rig.bot.texts() == ["/greet"]
    async with rig.http.post(
        rig.url,
        params=wx.signed_query(nonce="unsub"),
        data=wx.typed_xml("event", "<Event>unsubscribe</Event>").replace(
            "1700000001", "1700000002"
        ),
    ) as resp:
        assert await resp.text() == "success"
    assert rig.bot.texts() == ["/greet"]


@pytest.mark.parametrize("msg_type", ["image", "voice", "video", "location", "link"])
async def test_non_text_messages_are_answered_politely(rig: WeChatRig, msg_type: str) -> None:
    async with rig.http.post(
        rig.url, params=wx.signed_query(nonce=msg_type), data=wx.typed_xml(msg_type, msg_id=2000)
    ) as resp:
        assert wx.fields(await resp.text())["Content"] == say("channels.non_text")
    assert rig.bot.received == []


async def test_buttons_become_numbered_choices_the_user_can_type(rig: WeChatRig) -> None:
    _, body = await rig.say("buttons", 1011)
    content = wx.fields(body)["Content"]
    assert "1. 快速预审" in content and "2. 维权援助" in content
    assert "官网：https://www.cnipa.gov.cn/" in content and "回复数字" in content
    _, body = await rig.say("2", 1012)
    assert rig.bot.texts()[-1] == "/dispute_routes"
    assert wx.fields(body)["Content"] == "收到：/dispute_routes"
    await rig.say("2", 1013)  # the choices were used: now "2" is just text
    assert rig.bot.texts()[-1] == "2"


async def test_long_answer_is_split_between_reply_and_service_messages(rig: WeChatRig) -> None:
    _, body = await rig.say("long", 1014)
    first = wx.fields(body)["Content"]
    assert 0 < len(first.encode()) <= 2048
    expected = LONG_TEXT.replace("\n", "")

    def joined() -> str:
        return (first + "".join(s["body"]["text"]["content"] for s in rig.api.sent)).replace(
            "\n", ""
        )

    while len(joined()) < len(expected):
        await rig.api.wait_for(len(rig.api.sent) + 1)
    assert joined() == expected
    assert all(len(s["body"]["text"]["content"].encode()) <= 2048 for s in rig.api.sent)


async def test_bot_failure_gets_an_apology(rig: WeChatRig) -> None:
    _, body = await rig.say("boom", 1015)
    assert "抱歉" in wx.fields(body)["Content"]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ("<xml><MsgType>text</MsgType", {"Content-Type": "text/xml"}, 400),
        ("not xml at all", {"Content-Type": "text/xml"}, 400),
        ("<root><MsgType>text</MsgType></root>", {"Content-Type": "text/xml"}, 400),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>"
            "<MsgType>text</MsgType><Content>&b;</Content><MsgId>1</MsgId></xml>",
            {"Content-Type": "text/xml"},
            400,
        ),
        (wx.text_xml("你好", 3000), {"Content-Type": "application/json"}, 415),
        ("<xml>" + "<A>x</A>" * 20000 + "</xml>", {"Content-Type": "text/xml"}, 413),
        (wx.typed_xml("hologram", msg_id=3001), {"Content-Type": "text/xml"}, 400),
        (
            "<xml><MsgType>text</MsgType><Content>hi</Content></xml>",
            {"Content-Type": "text/xml"},
            400,
        ),
    ],
    ids=[
        "truncated",
        "not-xml",
        "wrong-root",
        "entities",
        "json-type",
        "oversized",
        "unknown-type",
        "no-sender",
    ],
)
async def test_bad_input_gets_a_clear_4xx_and_nothing_is_answered(
    rig: WeChatRig, body: str, headers: dict, status: int
) -> None:
    async with rig.http.post(
        rig.url, params=wx.signed_query(), data=body.encode(), headers=headers
    ) as resp:
        assert resp.status == status
        assert "error" in await resp.json()
    assert rig.bot.received == [] and rig.api.sent == []


async def test_concurrent_retries_while_the_answer_is_pending(rig: WeChatRig) -> None:
    first = asyncio.ensure_future(rig.say("slow", 1016, nonce="c1"))
    await asyncio.sleep(0)
    retry = await rig.say("slow", 1016, nonce="c1")
    assert retry == (200, "success")
    assert await first == (200, "success")
    rig.bot.release.set()
    await rig.api.wait_for(1)
    assert rig.bot.texts() == ["slow"]
