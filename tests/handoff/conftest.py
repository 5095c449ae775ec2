"""Handoff fixtures: a migrated database per test, once on SQLite and once on the real
PostgreSQL server (own schema, dropped afterwards); staff accounts; tickets."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update

from handoff.auth import StaffView, add_staff
from handoff.models import CLOSED, Ticket, utcnow
from handoff.tickets import Line, open_ticket
from ippc.db import get_engine, session_scope
from ippc.migrate import upgrade

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery"


def _pg_available() -> bool:
    engine = create_engine(PG_SERVER, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - not reachable, for whatever reason
        return False
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def handoff_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """URL of a migrated, empty database, also exported as IPPC_DATABASE_URL (the push
    outbox and the policy read it from there)."""
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("IPPC_WORKING_HOURS", raising=False)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'handoff.db'}"
        monkeypatch.setenv("IPPC_DATABASE_URL", url)
        upgrade(url)
        yield url
        get_engine(url).dispose()
        return
    if not _pg_available():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    schema = f"handoff_{uuid.uuid4().hex[:12]}"
    server = create_engine(PG_SERVER, future=True)
    with server.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_SERVER}?options=-csearch_path={schema}"
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    try:
        upgrade(url)
        yield url
    finally:
        get_engine(url).dispose()
        with server.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


@pytest.fixture
def make_staff(handoff_db: str):  # noqa: ANN201 - a factory
    def make(username: str, role: str = "agent", center: str | None = None) -> StaffView:
        return add_staff(username, PASSWORD, role=role, center=center, url=handoff_db)

    return make


@pytest.fixture
def make_ticket(handoff_db: str):  # noqa: ANN201 - a factory
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
            conversation_id or f"user-{uuid.uuid4().hex[:8]}",
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
            .values(status=CLOSED, closed_at=utcnow() - timedelta(minutes=minutes_ago))
        )
