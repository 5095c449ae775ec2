"""Finding 4: an old signed WeChat request is refused; a signature is used once across every
server instance (re-splitting its digits gives the same signature); with an AES key set, an
unsigned plaintext body is refused (no downgrade)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from channels.settings import WeChatSettings
from channels.wechat import WeChatInput
from tests.channels import wechat_client_sim as wx
from tests.channels.channels_harness import ScriptedBot, channel_server


def _channel(aes_key: str = "") -> WeChatInput:
    return WeChatInput(
        WeChatSettings(
            token=wx.TOKEN, appid=wx.APPID, aes_key=aes_key, secret=wx.SECRET,
            api_url="http://127.0.0.1:9", reply_window=2.0,
        )
    )  # fmt: skip


@pytest.fixture
async def two_instances(sqlite_db: str) -> AsyncIterator[tuple[list[str], ScriptedBot]]:
    """Two Rasa servers' WeChat channels on one database, as behind nginx."""
    bot = ScriptedBot()
    async with (
        channel_server([_channel()], bot) as first,
        channel_server([_channel()], bot) as second,
    ):
        yield [f"{base}/webhooks/wechat/webhook" for base in (first, second)], bot


async def _post(url: str, query: dict, body: str) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url, params=query, data=body.encode(), headers={"Content-Type": "text/xml"}
        ) as response,
    ):
        return response.status


async def test_a_request_signed_more_than_five_minutes_ago_is_refused(two_instances) -> None:
    (url, _), bot = two_instances
    old = wx.signed_query(timestamp=str(int(time.time()) - 301), nonce="old")
    assert await _post(url, old, wx.text_xml("你好", 3001)) == 403
    future = wx.signed_query(timestamp=str(int(time.time()) + 301), nonce="future")
    assert await _post(url, future, wx.text_xml("你好", 3002)) == 403
    assert bot.received == []


async def test_a_captured_signature_replayed_on_another_instance_is_refused(two_instances) -> None:
    (first, second), bot = two_instances
    query = wx.signed_query(nonce="9captured")
    assert await _post(first, query, wx.text_xml("你好", 3003)) == 200
    # Another message under the same signature, sent to the other server: refused.
    assert await _post(second, query, wx.text_xml("转人工", 3004)) == 409
    # The digits re-split between timestamp and nonce sign the same: refused too.
    stamp = query["timestamp"]
    resplit = {"timestamp": stamp + "9", "nonce": "captured"}
    assert wx.sign(wx.TOKEN, *resplit.values()) == query["signature"]
    resplit["signature"] = query["signature"]
    assert await _post(second, resplit, wx.text_xml("转人工", 3005)) in (403, 409)
    # The very same request again (a replay, or WeChat's retry): answered, not processed.
    assert await _post(second, query, wx.text_xml("你好", 3003)) == 200
    assert bot.texts() == ["你好"]


async def test_plaintext_is_refused_when_an_aes_key_is_set(sqlite_db: str) -> None:
    bot = ScriptedBot()
    async with channel_server([_channel(wx.AES_KEY)], bot) as base:
        url = f"{base}/webhooks/wechat/webhook"
        query = wx.signed_query(nonce="downgrade")
        assert await _post(url, query, wx.text_xml("你好", 3006)) == 403
        raw = {**wx.signed_query(nonce="downgrade2"), "encrypt_type": "raw"}
        assert await _post(url, raw, wx.text_xml("你好", 3007)) == 403
    assert bot.received == []
