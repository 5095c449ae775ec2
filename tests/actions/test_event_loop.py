"""No action blocks the action server's event loop while the database answers: each database
call of an action is made slow here (0.3 s of blocking sleep), and a coroutine that ticks
every 10 ms must go on ticking while the action waits for it."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import handoff.dialogue
from actions import handoff as handoff_actions
from actions.case_status import ActionCaseStatusLookup
from cases.backends.sql import SqlCaseBackend
from core.db import run_sync
from core.migrate import upgrade
from handoff.tickets import Line, open_ticket
from tests.loop_stall import MAX_STALL, SLOW, max_stall, slowed


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IPPC_WORKING_HOURS", "24x7")
    upgrade(database_url)
    # Once unslowed, for other conversations: what a first call sets up (texts, word lists,
    # patterns) is CPU work that holds the interpreter whatever thread does it (it stalled the
    # loop 0.24-0.31 s for whichever handoff test ran first); these tests are about waiting
    # for the database.
    events = _tracker("rest:warm-up", "转人工").events
    handoff.dialogue.start_handoff("rest:warm-up", "rest", events, "human_handoff")
    handoff.dialogue.leave_message("rest:warm-up-2", "rest", events, "13812345678", None)
    return database_url


def _tracker(sender: str, text: str, slots: dict[str, Any] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": "human_handoff", "confidence": 0.95}}
    events = [
        {"event": "action", "name": "action_listen", "timestamp": time.time()},
        {
            "event": "user",
            "text": text,
            "parse_data": message,
            "input_channel": "rest",
            "timestamp": time.time(),
        },
    ]
    return Tracker(sender, slots or {}, message, events, False, None, {}, "action_listen")


def _open(db: str, sender: str) -> int:
    line = Line("user", "转人工", datetime.now(timezone.utc), "human_handoff", "human_handoff")
    return open_ticket(sender, "rest", "user_request", [line], url=db)


async def test_the_helper_runs_blocking_work_off_the_loop() -> None:
    stall, result = await max_stall(lambda: run_sync(lambda x: time.sleep(SLOW) or x * 2, 21))
    assert result == 42
    assert stall < MAX_STALL


async def test_the_measure_sees_a_blocked_loop() -> None:
    """The yardstick itself: blocking on the loop is caught (else the tests below prove
    nothing)."""

    async def blocking() -> None:
        time.sleep(SLOW)

    stall, _ = await max_stall(blocking)
    assert stall >= SLOW


async def test_relay_waits_for_the_ticket_off_the_loop(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(db, "rest:loop-1")
    calls = slowed(monkeypatch, handoff_actions, "add_line")
    dispatcher = CollectingDispatcher()
    tracker = _tracker("rest:loop-1", "还在吗")
    stall, _ = await max_stall(
        lambda: handoff_actions.ActionHandoffRelay().run(dispatcher, tracker, {})
    )
    assert len(calls) == 1
    assert stall < MAX_STALL
    assert dispatcher.messages == []  # recorded on the ticket, nothing said by the bot


async def test_opening_a_ticket_waits_off_the_loop(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = slowed(monkeypatch, handoff.dialogue, "open_ticket")
    dispatcher = CollectingDispatcher()
    tracker = _tracker("rest:loop-2", "转人工")
    stall, _ = await max_stall(
        lambda: handoff_actions.ActionHumanHandoff().run(dispatcher, tracker, {})
    )
    assert len(calls) == 1
    assert stall < MAX_STALL
    assert dispatcher.messages  # the queue position was told


async def test_leaving_a_message_waits_off_the_loop(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = slowed(monkeypatch, handoff.dialogue, "open_ticket")
    dispatcher = CollectingDispatcher()
    slots = {"handoff_contact": "13812345678", "handoff_note": "请回电", "handoff_reason": None}
    tracker = _tracker("rest:loop-3", "请回电", slots)
    stall, _ = await max_stall(
        lambda: handoff_actions.ActionHandoffLeaveMessage().run(dispatcher, tracker, {})
    )
    assert len(calls) == 1
    assert stall < MAX_STALL


async def test_rating_waits_off_the_loop(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = slowed(monkeypatch, handoff_actions, "rate_last_ticket")
    dispatcher = CollectingDispatcher()
    stall, _ = await max_stall(
        lambda: handoff_actions.ActionHandoffRate().run(
            dispatcher, _tracker("rest:loop-4", "5"), {}
        )
    )
    assert len(calls) == 1
    assert stall < MAX_STALL


async def test_case_lookup_waits_off_the_loop(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = slowed(monkeypatch, SqlCaseBackend, "fetch_sync")
    dispatcher = CollectingDispatcher()
    slots = {"case_number": "YS2025000123", "phone_last4": "5678"}
    tracker = _tracker("rest:loop-5", "YS2025000123 5678", slots)
    stall, _ = await max_stall(lambda: ActionCaseStatusLookup().run(dispatcher, tracker, {}))
    assert len(calls) == 1
    assert stall < MAX_STALL
    assert dispatcher.messages  # an answer (not verified: there is no such case)
