"""The whole handoff loop through the running assistant (``ippc run``, REST channel,
IPPC_WORKING_HOURS=24x7): the user asks for a person, the ticket is listed by
``ippc handoff list --json``, a staff reply from the console reaches the user, closing
resumes the bot, and the rating is stored."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

pytestmark = pytest.mark.model

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "live test password"


class StaffBrowser:
    """A staff member using the console over HTTP, as the browser would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def csrf(self, path: str) -> str:
        page = self.http.get(self.base_url + path, timeout=30)
        page.raise_for_status()
        return CSRF.search(page.text).group(1)

    def login(self, username: str) -> None:
        token = self.csrf("/login")
        response = self.http.post(
            self.base_url + "/login",
            data={"csrf_token": token, "username": username, "password": PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text

    def act(self, ticket_id: int, action: str, **data: str) -> str:
        data["csrf_token"] = self.csrf(f"/tickets/{ticket_id}")
        response = self.http.post(
            f"{self.base_url}/tickets/{ticket_id}/{action}",
            data=data,
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@pytest.fixture(scope="module")
def staff(live_assistant) -> StaffBrowser:
    username = f"live-{uuid.uuid4().hex[:6]}"
    added = live_assistant.ippc("staff", "add", username, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    browser = StaffBrowser(live_assistant.console_url)
    browser.login(username)
    return browser


def _tickets(live_assistant, sender: str) -> list[dict]:
    result = live_assistant.ippc("handoff", "list", "--json")
    assert result.returncode == 0, result.stderr
    qualified = (f"rest:{sender}", f"web:{sender}")  # conversation ids name their channel
    return [t for t in json.loads(result.stdout) if t["conversation_id"] in qualified]


def test_the_contract_check_zhuan_rengong_makes_a_ticket(live_assistant) -> None:
    sender = f"handoff-{uuid.uuid4().hex[:8]}"
    answer = live_assistant.texts(sender, "转人工")
    assert "人工" in answer and "工单号" in answer
    [ticket] = _tickets(live_assistant, sender)
    assert ticket["channel"] == "rest" and ticket["status"] == "waiting"
    assert ticket["reason"] == "user_request"
    assert {"sender": "user", "text": "转人工"}.items() <= ticket["transcript"][0].items()


def test_reply_close_resume_and_rating(live_assistant, staff: StaffBrowser) -> None:
    sender = f"handoff-{uuid.uuid4().hex[:8]}"
    live_assistant.texts(sender, "预审需要收费吗")
    assert "工单号" in live_assistant.texts(sender, "我要找人工客服帮忙")
    [ticket] = _tickets(live_assistant, sender)
    ticket_id = ticket["id"]
    first = ticket["transcript"][0]
    assert first["sender"] == "user" and first["text"] == "预审需要收费吗"
    assert ticket["topic"] == "fasttrack_fee"  # what the user asked about before the handoff

    # While waiting, the bot stays silent and the message goes to the ticket.
    assert live_assistant.say(sender, "我的手机是13812345678，麻烦快点") == []
    staff.act(ticket_id, "claim")
    assert staff.act(ticket_id, "reply", text="您好，我是客服，预审不收费。").endswith("sent")

    # The staff reply reaches the REST user with their next message.
    answer = live_assistant.texts(sender, "好的，那备案呢")
    assert "【人工客服】您好，我是客服，预审不收费。" in answer
    [ticket] = _tickets(live_assistant, sender)
    texts = [(line["sender"], line["text"]) for line in ticket["transcript"]]
    assert ("user", "我的手机是138****5678，麻烦快点") in texts
    assert ("staff", "您好，我是客服，预审不收费。") in texts
    assert ("user", "好的，那备案呢") in texts
    assert "13812345678" not in json.dumps(ticket, ensure_ascii=False)

    assert staff.act(ticket_id, "close", note="已解答", tags="预审").endswith("closed")
    closing = live_assistant.texts(sender, "谢谢")
    assert "智能助手已恢复" in closing and "打分" in closing
    assert "感谢您的评价（5 分）" in live_assistant.texts(sender, "5")
    [ticket] = _tickets(live_assistant, sender)
    assert (ticket["status"], ticket["rating"], ticket["tags"]) == ("closed", 5, ["预审"])

    # The bot answers by itself again.
    after = live_assistant.texts(sender, "你好")
    assert after and "人工客服" not in after.split("\n")[0]
    assert len(_tickets(live_assistant, sender)[0]["transcript"]) == len(ticket["transcript"])


async def _frames_until(ws, predicate) -> list[dict]:
    """Bot frames received until one satisfies ``predicate`` (waits up to 60 s per frame)."""
    frames = []
    while True:
        frame = await ws.receive_json(timeout=60)
        if frame.get("type") == "bot":
            frames.append(frame)
            if predicate(frame):
                return frames


async def test_the_loop_on_the_web_widget_with_pushed_staff_replies(
    live_assistant,
    staff: StaffBrowser,
) -> None:
    import aiohttp

    socket_url = live_assistant.rasa_url.replace("http", "ws") + "/webhooks/webchat/socket"
    async with aiohttp.ClientSession() as session, session.ws_connect(socket_url) as ws:
        await ws.send_json({"type": "hello"})
        welcome = await ws.receive_json(timeout=60)
        assert welcome["type"] == "welcome"
        conversation = welcome["conversation_id"]  # issued by the server
        await ws.send_json({"type": "message", "text": "找真人客服"})
        await _frames_until(ws, lambda f: "工单号" in f["message"].get("text", ""))
        [ticket] = _tickets(live_assistant, conversation)
        assert ticket["channel"] == "webchat"

        staff.act(ticket["id"], "claim")
        assert staff.act(ticket["id"], "reply", text="您好，这里是人工客服。").endswith("sent")
        pushed = await _frames_until(ws, lambda f: "人工客服" in f["message"].get("text", ""))
        assert pushed[-1]["message"]["text"] == "【人工客服】您好，这里是人工客服。"

        staff.act(ticket["id"], "close", note="已解答")
        closing = await _frames_until(ws, lambda f: f["message"].get("buttons"))
        assert "打分" in closing[-1]["message"]["text"]
        await ws.send_json({"type": "message", "text": "4", "payload": "4"})
        await _frames_until(ws, lambda f: "感谢您的评价（4 分）" in f["message"].get("text", ""))
    [ticket] = _tickets(live_assistant, conversation)
    assert (ticket["status"], ticket["rating"]) == ("closed", 4)
