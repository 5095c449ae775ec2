"""The bot's side on tracker events as the action server receives them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.db import session_scope
from handoff.dialogue import (
    conversation_topic,
    handoff_reason,
    is_cancel,
    leave_message,
    start_handoff,
    transcript_lines,
    valid_contact,
)
from handoff.models import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def user(text: str, intent: str, confidence: float = 0.9, at: float = 1.0, ranking=None) -> dict:
    parse = {"intent": {"name": intent, "confidence": confidence}}
    if ranking:
        parse["intent_ranking"] = ranking
    return {"event": "user", "text": text, "timestamp": at, "parse_data": parse}


def bot(text: str, at: float = 1.5, buttons=None) -> dict:
    return {"event": "bot", "text": text, "timestamp": at, "data": {"buttons": buttons}}


EVENTS = [
    {"event": "session_started", "timestamp": 0.5},
    user("预审要钱吗", "fasttrack_fee", 0.93, 1.0),
    bot("专利预审不收费。", 1.1),
    user(
        "啊啊啊",
        "nlu_fallback",
        0.45,
        2.0,
        [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.3}],
    ),
    bot("没理解", 2.1, [{"title": "转人工", "payload": "/human_handoff"}]),
    user("/human_handoff", "human_handoff", 1.0, 3.0),
]


def test_transcript_has_understanding_and_timestamps() -> None:
    lines = transcript_lines([user("旧会话", "greet", at=0.1)] + EVENTS)
    assert [line.text for line in lines][0] == "预审要钱吗"  # only the current session
    first = lines[0]
    assert (first.sender, first.topic, first.intent, first.confidence) == (
        "user",
        "fasttrack_fee",
        "fasttrack_fee",
        0.93,
    )
    assert first.at.timestamp() == 1.0
    fallback = lines[2]
    assert fallback.intent == "nlu_fallback" and fallback.topic == "greet"
    assert lines[3].text == "没理解\n[按钮] 转人工"


def test_reasons() -> None:
    assert handoff_reason(EVENTS, "human_handoff") == "user_request"
    twice = EVENTS[:3] + [user("？？", "nlu_fallback", at=2.5)] + EVENTS[3:]
    assert handoff_reason(twice, "human_handoff") == "misunderstood_twice"
    judged = [user("对方抄了我的外观设计算侵权吗", "infringement_judgement")]
    assert handoff_reason(judged, "infringement_judgement") == "needs_judgement"


def test_topic_is_what_the_user_asked_about() -> None:
    lines = transcript_lines(EVENTS)
    # "预审要钱吗", then a message the bot did not understand, then "转人工": the user asked
    # about fees; the fallback's runner-up guess (greet) says nothing about that.
    assert conversation_topic(lines, "human_handoff") == "fasttrack_fee"
    assert conversation_topic(lines, "infringement_judgement") == "dispute_evidence"
    assert conversation_topic([], "human_handoff") == "human_handoff"
    greeted = transcript_lines([user("你好", "greet"), user("转人工", "human_handoff")])
    assert conversation_topic(greeted, "human_handoff") == "human_handoff"


def test_a_handoff_request_that_names_its_subject_has_that_topic() -> None:
    """ "备案的事情转人工": the NLU says human_handoff and keeps the rest's best intent."""
    parse = {
        "intent": {"name": "human_handoff", "confidence": 0.97},
        "rest_intent": {"name": "fasttrack_registration/how", "confidence": 0.8},
    }
    lines = transcript_lines(EVENTS)
    assert conversation_topic(lines, "human_handoff", parse) == "fasttrack_registration"
    # unreadable or unknown notes are ignored, never an error
    for odd in ({"rest_intent": "x"}, {"rest_intent": {"name": 3}}, {"other": {"name": "zz"}}):
        assert conversation_topic(lines, "human_handoff", odd) == "fasttrack_fee"
    assert conversation_topic(lines, "human_handoff", None) == "fasttrack_fee"


def test_in_working_hours_a_ticket_is_queued(
    handoff_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPPC_WORKING_HOURS", "24x7")
    outcome = start_handoff("d1", "webchat", EVENTS, "human_handoff")
    assert outcome.ticket_id and not outcome.offline
    assert f"#{outcome.ticket_id}" in outcome.messages[0] and "前面还有 0 位" in outcome.messages[0]
    with session_scope(handoff_db) as session:
        ticket = session.get(Ticket, outcome.ticket_id)
        assert (ticket.channel, ticket.status, ticket.reason) == (
            "webchat",
            "waiting",
            "user_request",
        )
        assert ticket.center == "示例知识产权保护中心"
        assert [m.sender for m in ticket.messages] == ["user", "bot", "user", "bot", "user", "bot"]
        assert "工单号" in ticket.messages[-1].text


def test_outside_hours_the_user_is_told_when_and_may_leave_a_message(handoff_db: str) -> None:
    holiday = datetime(2026, 2, 17, 10, 0, tzinfo=SHANGHAI)
    outcome = start_handoff("d2", "rest", EVENTS, "human_handoff", now=holiday)
    assert outcome.offline and outcome.ticket_id is None
    assert "2月24日（星期二）09:00" in outcome.messages[0] and "留言" in outcome.messages[0]
    events = EVENTS + [
        user("13912345678", "nlu_fallback", at=4.0),
        user("想问备案材料", "fasttrack_registration", at=5.0),
    ]
    reply = leave_message("d2", "rest", events, "13912345678", outcome.reason, now=holiday)
    assert "2月24日" in reply
    with session_scope(handoff_db) as session:
        ticket = session.query(Ticket).filter_by(conversation_id="d2").one()
        assert ticket.status == "left-message" and ticket.contact == "13912345678"
        assert ticket.callback_after == datetime(2026, 2, 24, 1, 0)  # 09:00 Shanghai, in UTC
        assert "139****5678" in [m.text for m in ticket.messages]
        assert "想问备案材料" in [m.text for m in ticket.messages]


def test_contacts_and_cancel_words() -> None:
    assert valid_contact("我的手机 13912345678") == "13912345678"
    assert valid_contact("邮箱 a.b@example.org 谢谢") == "a.b@example.org"
    assert valid_contact("010-87654321") == "010-87654321"
    assert valid_contact("明天再说") is None
    assert (
        is_cancel("算了") and is_cancel("不用了！") and not is_cancel("不用了我留个电话13912345678")
    )
