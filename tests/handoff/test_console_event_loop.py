"""The console's event loop serves other staff while the database answers one request: the
database calls of a page, a poll and a reply are made slow (0.3 s, blocking), and a coroutine
ticking every 10 ms must go on ticking meanwhile."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

import channels.outbox
import handoff.console.security
import handoff.console.views
import handoff.staff_ops
from channels.push import pending_messages
from tests.handoff.test_console import csrf_of, login
from tests.loop_stall import MAX_STALL, max_stall, slowed


async def test_a_slow_poll_leaves_the_loop_free(
    console: TestClient, make_staff, make_ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_staff("loop1")
    ticket_id = make_ticket("rest:loop-user-1")
    assert await login(console, "loop1") == 302
    # Once unslowed: what a first call sets up (words, patterns) is CPU work that holds the
    # interpreter whatever thread does it; the test is about waiting for the database.
    assert (await console.get("/api/queue")).status == 200
    sessions = slowed(monkeypatch, handoff.console.security, "session_for")
    snapshots = slowed(monkeypatch, handoff.console.views, "queue_snapshot")
    stall, response = await max_stall(lambda: console.get("/api/queue"))
    assert response.status == 200
    assert [row["id"] for row in (await response.json())["waiting"]] == [ticket_id]
    assert len(sessions) == 1 and len(snapshots) == 1
    assert stall < MAX_STALL


async def test_a_slow_reply_leaves_the_loop_free(
    console: TestClient, make_staff, make_ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_staff("loop2")
    ticket_id = make_ticket("rest:loop-user-2")
    assert await login(console, "loop2") == 302
    token = await csrf_of(console)
    stores = slowed(monkeypatch, channels.outbox, "store")  # the REST user's outbox
    tickets = slowed(monkeypatch, handoff.staff_ops, "visible_ticket")
    stall, response = await max_stall(
        lambda: console.post(
            f"/tickets/{ticket_id}/reply",
            data={"csrf_token": token, "text": "您好"},
            allow_redirects=False,
        )
    )
    assert response.headers["Location"].endswith("notice=sent")
    assert len(stores) == 1 and tickets
    assert stall < MAX_STALL
    assert pending_messages("rest:loop-user-2") == [{"text": "【人工客服】您好"}]
