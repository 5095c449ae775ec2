"""Handoff fixtures: a migrated database per test, once on SQLite and once on the real
PostgreSQL server (own schema, dropped afterwards); staff accounts; tickets."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from channels.delivery import conversation_id as qualified
from core.clock import utc_now
from core.db import session_scope
from core.migrate import upgrade
from handoff.auth import StaffView, add_staff
from handoff.console import create_app
from handoff.models import CLOSED, Ticket
from handoff.settings import get_handoff_settings
from handoff.tickets import Line, open_ticket

PASSWORD = "correct horse battery"


@pytest.fixture
def handoff_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """URL of a migrated, empty database, also exported as IPPC_DATABASE_URL (the push
    outbox and the policy read it from there)."""
    monkeypatch.delenv("IPPC_WORKING_HOURS", raising=False)
    upgrade(database_url)
    return database_url


@pytest.fixture
def make_staff(handoff_db: str):  # a factory
    def make(username: str, role: str = "agent", center: str | None = None) -> StaffView:
        return add_staff(username, PASSWORD, role=role, center=center, url=handoff_db)

    return make


@pytest.fixture
def make_ticket(handoff_db: str):  # a factory
    """Opens a waiting ticket whose transcript holds the given user messages."""

    def make(
        conversation_id: str | None = None,
        words: tuple[str, ...] = ("转人工",),
        channel: str = "rest",
        center: str | None = None,
        topic: str | None = "human_handoff",
        reason: str = "user_request",
    ) -> int:
        now = datetime.now(timezone.utc)
        lines = [Line("user", w, now, "human_handoff", "human_handoff", 0.97) for w in words]
        return open_ticket(
            conversation_id or qualified(channel, f"user-{uuid.uuid4().hex[:8]}"),
            channel,
            reason,
            lines,
            center=center,
            topic=topic,
            url=handoff_db,
        )

    return make


def mark_closed(url: str, ticket_id: int, minutes_ago: int = 0) -> None:
    """As if staff had closed the ticket ``minutes_ago`` minutes ago."""
    with session_scope(url) as session:
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(status=CLOSED, closed_at=utc_now() - timedelta(minutes=minutes_ago))
        )


class Clock:
    """Naive UTC now that a test can move forward."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def console(handoff_db: str, clock: Clock) -> AsyncIterator[TestClient]:
    app = create_app(url=handoff_db, settings=get_handoff_settings(), clock=clock)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
