"""WeChat and Telegram users of the real bot (``ippc run``, trained model), with stand-ins of
both outside APIs: a multi-turn form answered by number on WeChat and by button on Telegram,
and a staff reply from the console reaching each user through their API."""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from xml.etree import ElementTree

import pytest

from tests.conftest import LIVE_TELEGRAM_SECRET, LIVE_WECHAT_TOKEN, LiveAssistant
from tests.handoff.test_handoff_live import PASSWORD, StaffBrowser

pytestmark = pytest.mark.model
WECHAT = "/webhooks/wechat/webhook"
TELEGRAM = "/webhooks/telegram/webhook"
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.M)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class WeChatUser:
    """A WeChat user writing to the Official Account: signed XML in, the passive reply (or,
    when the bot takes longer than WeChat waits, the customer-service messages) out."""

    def __init__(self, assistant: LiveAssistant) -> None:
        self.assistant = assistant
        self.openid = f"o_live_{uuid.uuid4().hex[:10]}"

    def _pushed(self) -> list[str]:
        return [
            s["body"]["text"]["content"]
            for s in self.assistant.wechat_api.sent
            if s["body"].get("touser") == self.openid
        ]

    def wait_pushed(self, count: int, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self._pushed()) < count:
            assert time.monotonic() < deadline, f"no customer-service message {count}"
            time.sleep(0.2)
        return self._pushed()

    def say(self, text: str) -> str:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:12]
        signature = hashlib.sha1(
            "".join(sorted([LIVE_WECHAT_TOKEN, timestamp, nonce])).encode()
        ).hexdigest()
        query = urllib.parse.urlencode(
            {"timestamp": timestamp, "nonce": nonce, "signature": signature}
        )
        xml = (
            "<xml><ToUserName><![CDATA[gh_center]]></ToUserName>"
            f"<FromUserName><![CDATA[{self.openid}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{time.monotonic_ns()}</MsgId></xml>"
        )
        pushed = len(self._pushed())
        status, body = _post(
            f"{self.assistant.rasa_url}{WECHAT}?{query}", xml.encode(), {"Content-Type": "text/xml"}
        )
        assert status == 200, body
        if body == b"success":  # answered later through the customer-service API
            return "\n".join(self.wait_pushed(pushed + 1)[pushed:])
        reply = ElementTree.fromstring(body)
        assert reply.findtext("ToUserName") == self.openid
        time.sleep(0.5)  # a reply longer than one passive message continues by the API
        return "\n".join([reply.findtext("Content") or "", *self._pushed()[pushed:]])


def number_of(reply: str, title: str) -> str:
    """The number the reply shows for a choice, as the user would read it."""
    choices = {label.strip(): number for number, label in NUMBERED.findall(reply)}
    assert title in choices, reply
    return choices[title]


def test_wechat_dispute_form_by_numbers(live_assistant: LiveAssistant) -> None:
    user = WeChatUser(live_assistant)
    first = user.say("有人仿冒我们的商标，怎么维权")
    assert "调解" in first and "诉讼" in first
    assert [label for _, label in NUMBERED.findall(first)][-4:] == [
        "线下", "电商平台", "展会", "海外"
    ]  # fmt: skip
    assert "回复数字即可选择" in first
    second = user.say(number_of(first, "电商平台"))
    assert "停止侵权" in [label.strip() for _, label in NUMBERED.findall(second)], second
    answer = user.say(number_of(second, "停止侵权"))
    assert "电商平台投诉" in answer and "行政执法投诉" in answer, answer
    assert "不构成法律意见" in answer


def test_wechat_eligibility_form_with_a_numbered_last_answer(
    live_assistant: LiveAssistant,
) -> None:
    user = WeChatUser(live_assistant)
    first = user.say("我们是做锂电池储能的公司，能申请专利预审吗")
    assert "哪个省市" in first, first
    second = user.say("深圳市")
    assert "哪种专利" in second, second
    answer = user.say(number_of(second, "发明"))
    assert answer.startswith("可以申请"), answer
    assert "深圳知识产权保护中心" in answer


class TelegramUser:
    """A Telegram user: updates to the webhook with the secret, answers read from the
    stand-in Bot API; a button is pressed by sending its callback data back."""

    def __init__(self, assistant: LiveAssistant) -> None:
        self.assistant = assistant
        self.chat_id = 700000 + uuid.uuid4().int % 99999
        self.update_id = uuid.uuid4().int % 10**9

    def _sent(self) -> list[dict]:
        return [s for s in self.assistant.telegram_api.sent() if int(s["chat_id"]) == self.chat_id]

    def wait_sent(self, count: int, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self._sent()) < count:
            assert time.monotonic() < deadline, f"no sendMessage {count}"
            time.sleep(0.2)
        return self._sent()

    def _update(self, body: dict) -> list[dict]:
        before = len(self._sent())
        self.update_id += 1
        status, answer = _post(
            self.assistant.rasa_url + TELEGRAM,
            json.dumps({"update_id": self.update_id, **body}).encode(),
            {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": LIVE_TELEGRAM_SECRET},
        )  # fmt: skip
        assert status == 200, answer
        return self._sent()[before:]  # the webhook answers after the bot has sent its replies

    def say(self, text: str) -> list[dict]:
        sender = {"id": self.chat_id, "is_bot": False, "first_name": "测试"}
        message = {"message_id": self.update_id, "date": int(time.time()), "text": text,
                   "chat": {"id": self.chat_id, "type": "private"}, "from": sender}  # fmt: skip
        return self._update({"message": message})

    def press(self, messages: list[dict], title: str) -> list[dict]:
        keys = {
            button["text"]: button["callback_data"]
            for m in messages
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        }
        assert title in keys, messages
        sender = {"id": self.chat_id, "is_bot": False, "first_name": "测试"}
        shown = {"message_id": 1, "date": int(time.time()), "text": "…",
                 "chat": {"id": self.chat_id, "type": "private"}}  # fmt: skip
        query = {"id": uuid.uuid4().hex[:10], "from": sender, "chat_instance": "ci",
                 "data": keys[title], "message": shown}  # fmt: skip
        return self._update({"callback_query": query})


def texts_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_telegram_dispute_form_by_buttons(live_assistant: LiveAssistant) -> None:
    user = TelegramUser(live_assistant)
    first = user.say("有人仿冒我们的商标，怎么维权")
    assert "调解" in texts_of(first) and "诉讼" in texts_of(first)
    second = user.press(first, "电商平台")
    answer = user.press(second, "停止侵权")
    assert "电商平台投诉" in texts_of(answer) and "行政执法投诉" in texts_of(answer)


def test_telegram_eligibility_form_typed_answers(live_assistant: LiveAssistant) -> None:
    user = TelegramUser(live_assistant)
    assert "哪个省市" in texts_of(user.say("我们是做锂电池储能的公司，能申请专利预审吗"))
    second = user.say("深圳市")
    assert "哪种专利" in texts_of(second)
    answer = texts_of(user.press(second, "发明"))
    assert answer.startswith("可以申请") and "深圳知识产权保护中心" in answer, answer


@pytest.fixture(scope="module")
def staff(live_assistant: LiveAssistant) -> StaffBrowser:
    username = f"chan-{uuid.uuid4().hex[:6]}"
    added = live_assistant.ippc("staff", "add", username, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    browser = StaffBrowser(live_assistant.console_url)
    browser.login(username)
    return browser


def ticket_of(live_assistant: LiveAssistant, conversation: str) -> dict:
    listed = live_assistant.ippc("handoff", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [ticket] = [t for t in json.loads(listed.stdout) if t["conversation_id"] == conversation]
    return ticket


def test_a_staff_reply_reaches_a_wechat_user(live_assistant: LiveAssistant, staff) -> None:
    user = WeChatUser(live_assistant)
    assert "工单号" in user.say("转人工")
    ticket = ticket_of(live_assistant, f"wechat:{user.openid}")
    assert ticket["channel"] == "wechat"
    staff.act(ticket["id"], "claim")
    pushed = len(user._pushed())
    assert staff.act(ticket["id"], "reply", text="您好，我是客服小李。").endswith("sent")
    assert user.wait_pushed(pushed + 1)[pushed] == "【人工客服】您好，我是客服小李。"


def test_a_staff_reply_reaches_a_telegram_user(live_assistant: LiveAssistant, staff) -> None:
    user = TelegramUser(live_assistant)
    assert "工单号" in texts_of(user.say("转人工"))
    ticket = ticket_of(live_assistant, f"telegram:{user.chat_id}")
    assert ticket["channel"] == "telegram"
    staff.act(ticket["id"], "claim")
    sent = len(user._sent())
    assert staff.act(ticket["id"], "reply", text="您好，我是客服小张。").endswith("sent")
    assert user.wait_sent(sent + 1)[sent]["text"] == "【人工客服】您好，我是客服小张。"
