"""The contract's channel checks against the real assistant (``ippc run`` with a trained
model): WeChat verification, forged signatures refused, a text message answered by passive
XML; Telegram's secret enforced and a ``sendMessage`` made to the user's chat."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree

import pytest

from tests.conftest import (
    LIVE_TELEGRAM_SECRET,
    LIVE_WECHAT_TOKEN,
    LiveAssistant,
)

pytestmark = pytest.mark.model
WECHAT = "/webhooks/wechat/webhook"
TELEGRAM = "/webhooks/telegram/webhook"


def _signed(token: str = LIVE_WECHAT_TOKEN) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), f"n{time.monotonic_ns()}"
    signed = "".join(sorted([token, timestamp, nonce])).encode()
    signature = hashlib.sha1(signed).hexdigest()
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature}


def _request(url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_wechat_url_verification_and_forgery(live_assistant: LiveAssistant) -> None:
    base = live_assistant.rasa_url + WECHAT
    query = urllib.parse.urlencode({**_signed(), "echostr": "hello-wechat"})
    assert _request(f"{base}?{query}") == (200, b"hello-wechat")
    forged = urllib.parse.urlencode({**_signed("wrong-token"), "echostr": "x"})
    assert _request(f"{base}?{forged}")[0] == 403
    xml = "<xml><ToUserName>gh</ToUserName><FromUserName>forger</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1</MsgId></xml>"
    assert _request(f"{base}?{forged}", xml.encode())[0] == 403


def test_wechat_text_message_gets_a_passive_reply(live_assistant: LiveAssistant) -> None:
    query = urllib.parse.urlencode(_signed())
    xml = (
        "<xml><ToUserName><![CDATA[gh_center]]></ToUserName>"
        "<FromUserName><![CDATA[o_live_user]]></FromUserName><CreateTime>1700000000</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[预审要收费吗]]></Content>"
        f"<MsgId>{time.monotonic_ns()}</MsgId></xml>"
    )
    status, body = _request(f"{live_assistant.rasa_url}{WECHAT}?{query}", xml.encode())
    assert status == 200
    reply = ElementTree.fromstring(body)
    assert reply.findtext("ToUserName") == "o_live_user"
    assert reply.findtext("FromUserName") == "gh_center"
    assert reply.findtext("MsgType") == "text"
    assert "预审" in reply.findtext("Content")


def _update(update_id: int, text: str) -> bytes:
    message = {
        "message_id": update_id, "date": 1700000000, "text": text,
        "chat": {"id": 777001, "type": "private"},
        "from": {"id": 777001, "is_bot": False, "first_name": "测试"},
    }  # fmt: skip
    return json.dumps({"update_id": update_id, "message": message}).encode()


def test_telegram_secret_and_send_message(live_assistant: LiveAssistant) -> None:
    url = live_assistant.rasa_url + TELEGRAM
    json_header = {"Content-Type": "application/json"}
    assert _request(url, _update(1, "你好"), json_header)[0] == 403
    wrong = {**json_header, "X-Telegram-Bot-Api-Secret-Token": "wrong"}
    assert _request(url, _update(2, "你好"), wrong)[0] == 403

    # Other tests talk to the same stand-in: only this chat's messages count.
    def to_this_chat() -> list[dict]:
        return [s for s in live_assistant.telegram_api.sent() if int(s["chat_id"]) == 777001]

    assert to_this_chat() == []
    right = {**json_header, "X-Telegram-Bot-Api-Secret-Token": LIVE_TELEGRAM_SECRET}
    assert _request(url, _update(3, "你好"), right)[0] == 200  # answered once the bot has sent
    sent = to_this_chat()
    assert sent, "no sendMessage to the user's chat"
    assert "智能助手" in sent[0]["text"]
    assert "inline_keyboard" in sent[0].get("reply_markup", {})  # the greeting's buttons
