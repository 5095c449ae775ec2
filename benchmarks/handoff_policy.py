"""Handoff benchmark: what the pause costs every user message (HandoffPolicy's look at the
ticket table), the relay's write, and the console's queue snapshot, on SQLite and on
PostgreSQL, with many tickets stored. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.handoff_policy [--tickets 50000] [--lookups 2000]

PostgreSQL: a schema of its own in the `test` database on 127.0.0.1:5432, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from core.clock import aware_utc_now, utc_now
from core.db import get_engine, session_scope
from core.migrate import upgrade
from handoff.auth import StaffView
from handoff.live import queue_snapshot
from handoff.models import ACTIVE, CLOSED, WAITING, Ticket, TicketMessage
from handoff.tickets import Line, add_line, conversation_state

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
OPEN_TICKETS = 300  # a busy queue: waiting and active tickets shown by the console


def _fill(url: str, tickets: int) -> None:
    """``tickets`` tickets (mostly closed, OPEN_TICKETS open), three messages each."""
    now = utc_now()
    rows, messages = [], []
    for index in range(1, tickets + 1):
        status = CLOSED if index > OPEN_TICKETS else (WAITING if index % 2 else ACTIVE)
        created = now - timedelta(minutes=index)
        rows.append(
            {
                "id": index,
                "conversation_id": f"user-{index}",
                "channel": "rest",
                "status": status,
                "reason": "user_request",
                "topic": "fasttrack_fee",
                "created_at": created,
                "updated_at": created,
                "closed_at": created if status == CLOSED else None,
                "tags": "",
            }
        )
        for turn in range(3):
            messages.append(
                {"ticket_id": index, "sender": "user", "text": f"问题 {turn}", "at": created}
            )
    with get_engine(url).begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Ticket.__table__), rows[start : start + 5000])
        for start in range(0, len(messages), 15000):
            connection.execute(insert(TicketMessage.__table__), messages[start : start + 15000])
        if url.startswith("postgresql"):
            connection.execute(text(f"SELECT setval('handoff_tickets_id_seq', {tickets})"))


def _timed(label: str, count: int, call: Callable[[int], object]) -> None:
    samples = []
    for index in range(count):
        started = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    print(
        f"  {label:<44} n={count:<6} p50={p(0.5):7.2f} ms  p95={p(0.95):7.2f} ms  "
        f"p99={p(0.99):7.2f} ms  mean={statistics.fmean(samples):7.2f} ms"
    )


def measure(name: str, url: str, tickets: int, lookups: int) -> None:
    upgrade(url)
    started = time.perf_counter()
    _fill(url, tickets)
    print(f"{name}: {tickets} tickets stored in {time.perf_counter() - started:.1f} s")
    rng = random.Random(7)
    ids = [rng.randint(1, tickets) for _ in range(lookups)]
    _timed(
        "policy look, conversation with an open ticket",
        lookups,
        lambda i: conversation_state(f"user-{1 + ids[i] % OPEN_TICKETS}", 60, url),
    )
    _timed(
        "policy look, conversation never handed over",
        lookups,
        lambda i: conversation_state(f"nobody-{ids[i]}", 60, url),
    )
    now = aware_utc_now()
    _timed(
        "relay: add a user message to the open ticket",
        lookups // 4,
        lambda i: add_line(f"user-{1 + ids[i] % OPEN_TICKETS}", Line("user", "还在吗", now), url),
    )
    viewer = StaffView(id=0, username="bench", display_name="bench", role="agent", center=None)

    def snapshot(_: int) -> None:
        with session_scope(url) as session:
            queue_snapshot(session, viewer)

    _timed(f"console queue snapshot ({OPEN_TICKETS} open tickets)", 50, snapshot)
    get_engine(url).dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=50000)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", args.tickets, args.lookups)
    schema = f"handoff_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(PG_SERVER, future=True)
    try:
        with server.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - no server: SQLite figures only
        print(f"PostgreSQL: not measured ({error.__class__.__name__})")
        return
    try:
        measure(
            "PostgreSQL", f"{PG_SERVER}?options=-csearch_path={schema}", args.tickets, args.lookups
        )
    finally:
        with server.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


if __name__ == "__main__":
    main()
