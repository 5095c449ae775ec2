"""Recording through the running assistant (``ippc run``, REST channel): the Rasa server's
HandoffPolicy hands every user message to the inbox recorder, so a rephrased question lands
in the inbox and the day's traffic is counted; "转人工" after a question about fees opens a
ticket about fees."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import select

from core.db import session_scope
from handoff.models import DailyTraffic, MissedMessage

pytestmark = pytest.mark.model


def _wait_for(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_rephrase_is_recorded_and_a_handoff_keeps_the_question_topic(live_assistant) -> None:
    url = live_assistant.env["IPPC_DATABASE_URL"]
    sender = f"inbox-{uuid.uuid4().hex[:8]}"
    with session_scope(url) as session:
        before = sum(session.execute(select(DailyTraffic.messages)).scalars())
    live_assistant.say(sender, "预审要收费吗")
    live_assistant.say(sender, "预审是要收费吗")  # the same question again, other words
    live_assistant.say(sender, "转人工")

    def rephrased() -> list[tuple[str, str, str]]:
        with session_scope(url) as session:
            return session.execute(
                select(MissedMessage.text, MissedMessage.reasons, MissedMessage.channel).where(
                    MissedMessage.conversation_id.contains(sender)
                )
            ).all()

    rows = _wait_for(rephrased)
    assert ("预审要收费吗", "rephrased", "rest") in [tuple(r) for r in rows], rows

    def counted() -> int:
        with session_scope(url) as session:
            return sum(session.execute(select(DailyTraffic.messages)).scalars()) - before

    assert _wait_for(lambda: counted() >= 3) and counted() >= 3

    listed = live_assistant.ippc("handoff", "list", "--json")
    tickets = [t for t in json.loads(listed.stdout) if sender in t["conversation_id"]]
    assert [t["topic"] for t in tickets] == ["fasttrack_fee"], tickets
    assert tickets[0]["topic_label"] == "预审或快速通道是否收费"
