"""Tickets from the bot's side: opening (once), transcript lines, queue position, the
conversation state the policy reads, ratings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.db import session_scope
from handoff.models import LEFT_MESSAGE, Ticket
from handoff.tickets import (
    Line,
    TicketError,
    add_line,
    conversation_state,
    expected_wait_minutes,
    open_ticket,
    queue_position,
    rate_last_ticket,
    ticket_state,
)
from tests.handoff.conftest import mark_closed


def test_a_ticket_keeps_the_conversation_masked(handoff_db: str) -> None:
    now = datetime.now(timezone.utc)
    lines = [
        Line("user", "我电话13812345678", now, "center_contact", "center_contact", 0.8),
        Line("bot", "中心电话是……", now + timedelta(seconds=1)),
        Line("user", "转人工", now + timedelta(seconds=2), "human_handoff", "human_handoff", 0.99),
    ]
    ticket_id = open_ticket("c1", "rest", "user_request", lines, url=handoff_db)
    with session_scope(handoff_db) as session:
        ticket = session.get(Ticket, ticket_id)
        texts = [(m.sender, m.text) for m in ticket.messages]
        assert ticket.status == "waiting" and ticket.reason == "user_request"
        assert ticket.messages[0].topic == "center_contact"
        assert ticket.messages[2].confidence == pytest.approx(0.99)
    assert texts == [("user", "我电话138****5678"), ("bot", "中心电话是……"), ("user", "转人工")]


def test_asking_twice_reuses_the_open_ticket(handoff_db: str) -> None:
    now = datetime.now(timezone.utc)
    first = open_ticket("c2", "rest", "user_request", [Line("user", "转人工", now)], url=handoff_db)
    again = [Line("user", "转人工", now), Line("user", "人呢", now + timedelta(seconds=5))]
    second = open_ticket("c2", "rest", "user_request", again, url=handoff_db)
    assert first == second
    with session_scope(handoff_db) as session:
        assert [m.text for m in session.get(Ticket, first).messages] == ["转人工", "人呢"]


def test_bad_requests_change_nothing(handoff_db: str) -> None:
    now = datetime.now(timezone.utc)
    with pytest.raises(TicketError, match="unknown handoff reason 'because'"):
        open_ticket("c3", "rest", "because", [Line("user", "x", now)], url=handoff_db)
    with pytest.raises(TicketError, match="unknown sender 'robot'"):
        open_ticket("c3", "rest", "user_request", [Line("robot", "x", now)], url=handoff_db)
    with pytest.raises(TicketError, match="a ticket needs a conversation id"):
        open_ticket("", "rest", "user_request", [], url=handoff_db)
    with session_scope(handoff_db) as session:
        assert session.query(Ticket).count() == 0


def test_queue_position_and_wait(handoff_db: str, make_ticket) -> None:
    first, second, other_center = make_ticket(), make_ticket(), make_ticket(center="B中心")
    assert queue_position(first, handoff_db) == 1
    assert queue_position(second, handoff_db) == 2
    assert queue_position(other_center, handoff_db) == 1
    assert expected_wait_minutes(2, 5, handoff_db) == 10  # nobody claimed yet: 5 per place
    with session_scope(handoff_db) as session:
        ticket = session.get(Ticket, first)
        ticket.status, ticket.claimed_at = "active", ticket.created_at + timedelta(minutes=3)
    assert queue_position(first, handoff_db) == 0
    assert queue_position(second, handoff_db) == 1
    assert expected_wait_minutes(1, 5, handoff_db) == 3  # the median of real waits


def test_conversation_state_follows_the_ticket(handoff_db: str, make_ticket) -> None:
    assert conversation_state("c4", 60, handoff_db) == ""
    ticket_id = make_ticket("c4")
    assert conversation_state("c4", 60, handoff_db) == "handed_over"
    line = Line("user", "还在吗", datetime.now(timezone.utc))
    assert add_line("c4", line, handoff_db) == ticket_id
    mark_closed(handoff_db, ticket_id)
    assert conversation_state("c4", 60, handoff_db) == "rating"
    assert add_line("c4", line, handoff_db) is None
    assert rate_last_ticket("c4", 4, 60, handoff_db) == ticket_id
    assert conversation_state("c4", 60, handoff_db) == ""
    assert rate_last_ticket("c4", 5, 60, handoff_db) is None  # rated once only
    with session_scope(handoff_db) as session:
        assert session.get(Ticket, ticket_id).rating == 4


def test_ticket_state_tells_whether_there_is_any_ticket(handoff_db: str, make_ticket) -> None:
    """A left message pauses nothing but is a ticket; a later live ticket wins over it."""
    assert ticket_state("c6", 60, handoff_db) == ("", False)
    line = Line("user", "请回电", datetime.now(timezone.utc))
    left = open_ticket("c6", "rest", "left_message", [line], status=LEFT_MESSAGE, url=handoff_db)
    assert ticket_state("c6", 60, handoff_db) == ("", True)
    live = make_ticket("c6")
    assert ticket_state("c6", 60, handoff_db) == ("handed_over", True)
    mark_closed(handoff_db, live)
    assert ticket_state("c6", 60, handoff_db) == ("rating", True)
    mark_closed(handoff_db, left)  # closed later than the live one, but older: still rating
    assert ticket_state("c6", 60, handoff_db) == ("rating", True)


def test_rating_window_and_range(handoff_db: str, make_ticket) -> None:
    ticket_id = make_ticket("c5")
    mark_closed(handoff_db, ticket_id, minutes_ago=61)
    assert conversation_state("c5", 60, handoff_db) == ""
    assert rate_last_ticket("c5", 5, 60, handoff_db) is None
    with pytest.raises(TicketError, match="a rating is 1 to 5, not 6"):
        rate_last_ticket("c5", 6, 60, handoff_db)
