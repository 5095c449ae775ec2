"""Long-conversation benchmark: does one message cost more the longer its conversation is?

    .venv/bin/python -m benchmarks.long_conversation [--turns 300] [--database sqlite|postgres]
                                                    [--stored 100000] [--sessions 3]

Starts ``ippc run`` (SQLite file, or a PostgreSQL database of its own on 127.0.0.1:5432 that
is dropped at the end), optionally fills Rasa's ``events`` table first with ``--stored`` short
conversations of other users (bulk inserts), then one user says ``--turns`` messages one after
the other through the REST channel: greetings, FAQ questions, the eligibility form with its
answers, a case lookup, a dispute question, thanks. The conversation spans ``--sessions``
sessions: after turns 20 and 40 (by default) the user "comes back after an hour", simulated by
moving the stored events of the conversation an hour and more into the past, so that the next
message starts a new session; the last session then runs to the end.

Prints the median latency of each band of turns (1–20, 100–120, 200–220 and the last 20) and
the ratio of the last band to the first, and the same 16 messages of the first round against
the last round (like with like). Asserts nothing: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

from benchmarks.dialogues import LONG_ROUND as ROUND
from benchmarks.dialogues import STORED_ANSWER, STORED_QUESTION
from benchmarks.targets import IppcRun
from core.paths import models_dir

POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"

SESSION_GAP_SECONDS = 3700  # Rasa's default session expiration is 60 minutes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.long_conversation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--turns", type=int, default=300, help="messages in the conversation")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--stored", type=int, default=0, help="other conversations stored first")
    parser.add_argument(
        "--sessions", type=int, default=3,
        help="sessions of the conversation: a new one after turn 20, 40, ... (the last runs on)",
    )  # fmt: skip
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="extra environment of ippc run (e.g. IPPC_TRACKER_EVENT_CAP=0 for the old way)",
    )  # fmt: skip
    parser.add_argument("--show", action="store_true", help="print the first round's answers")
    return parser.parse_args(argv)


def bands(turns: int) -> list[tuple[int, int]]:
    """Bands of turns (1-based, inclusive) whose medians are compared."""
    chosen = [(1, 20), (100, 120), (200, 220)]
    found = [(a, b) for a, b in chosen if b <= turns - 20]
    return found + [(max(1, turns - 19), turns)] if turns > 20 else [(1, turns)]


def create_database() -> str:
    name = f"ippc_longconv_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(POSTGRES_SERVER).set(database=name).render_as_string(False)


def drop_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def events_table() -> sa.Table:
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore.SQLEvent.__table__


def stored_conversation(index: int, start: float) -> list[dict]:
    """The rows of one short stored conversation: session start, a question, an answer."""
    sender = f"rest:stored-{index}"
    t = start + index * 0.01
    user = {
        "event": "user", "timestamp": t + 0.002, "text": STORED_QUESTION,
        "parse_data": {"intent": {"name": "faq", "confidence": 0.98}, "entities": []},
        "input_channel": "rest",
    }  # fmt: skip
    events = [
        ("action", {"event": "action", "timestamp": t, "name": "action_session_start"}, None),
        ("session_started", {"event": "session_started", "timestamp": t}, None),
        ("action", {"event": "action", "timestamp": t + 0.001, "name": "action_listen"}, None),
        ("user", user, "faq"),
        ("bot", {"event": "bot", "timestamp": t + 0.003, "text": STORED_ANSWER}, None),
        ("action", {"event": "action", "timestamp": t + 0.004, "name": "action_listen"}, None),
    ]
    return [
        {
            "sender_id": sender,
            "type_name": kind,
            "timestamp": data["timestamp"],
            "intent_name": intent,
            "action_name": data.get("name"),
            "data": json.dumps(data, ensure_ascii=False),
        }  # fmt: skip
        for kind, data, intent in events
    ]


def prefill(url: str, count: int, batch: int = 2000) -> float:
    """``count`` short conversations written straight into the events table; seconds."""
    started = time.monotonic()
    engine = sa.create_engine(url, future=True)
    table = events_table()
    table.metadata.create_all(engine, tables=[table], checkfirst=True)
    start = time.time() - 86400  # yesterday: well inside any retention period
    with engine.begin() as connection:
        for first in range(0, count, batch):
            rows = []
            for index in range(first, min(count, first + batch)):
                rows += stored_conversation(index, start)
            connection.execute(table.insert(), rows)
    engine.dispose()
    return time.monotonic() - started


def age_conversation(url: str, sender: str, seconds: float) -> None:
    """Move the stored events of ``sender`` into the past: the user comes back later."""
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE events SET timestamp = timestamp - :s WHERE sender_id = :id"),
            {"s": seconds, "id": sender},
        )
    engine.dispose()


def stored_events(url: str, sender: str) -> int:
    engine = sa.create_engine(url, future=True)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :id"), {"id": sender}
        ).scalar()
    engine.dispose()
    return count


def say(rest_url: str, sender: str, message: str) -> tuple[float, list[dict]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback http
        rest_url, data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        replies = json.loads(response.read())
    return time.perf_counter() - started, replies


def play(
    target: IppcRun, url: str, turns: int, sessions: int, show: bool = False
) -> tuple[list[float], int]:
    """One conversation of ``turns`` messages; latencies (s) and the number of empty answers."""
    sender = f"longconv-{uuid.uuid4().hex[:8]}"
    breaks = {20 * n for n in range(1, sessions)}
    latencies: list[float] = []
    empty = 0
    for turn in range(1, turns + 1):
        seconds, replies = say(target.rest_url, sender, ROUND[(turn - 1) % len(ROUND)])
        latencies.append(seconds)
        empty += not replies
        if show and turn <= len(ROUND):
            texts = " / ".join((r.get("text") or "")[:40].replace("\n", " ") for r in replies)
            print(f"  {ROUND[(turn - 1) % len(ROUND)]} -> {texts}", flush=True)
        if turn in breaks:
            age_conversation(url, f"rest:{sender}", SESSION_GAP_SECONDS)
        if turn % 50 == 0:
            print(f"  turn {turn}: {seconds * 1000:.0f} ms", flush=True)
    print(f"  the conversation: {stored_events(url, f'rest:{sender}'):,} stored events")
    return latencies, empty


def report(latencies: list[float], turns: int) -> None:
    medians = []
    for first, last in bands(turns):
        median = statistics.median(latencies[first - 1 : last]) * 1000
        medians.append(median)
        print(f"turns {first:>3}–{last:<3}  median {median:7.1f} ms")
    if len(medians) > 1:
        print(f"ratio last band / first band: {medians[-1] / medians[0]:.2f}")
    same = same_messages(latencies)
    if same is not None:
        first_round, last_round = same
        print(
            f"the same {len(ROUND)} messages, turns 1–{len(ROUND)} against the last "
            f"{len(ROUND)}: median {first_round:.1f} ms against {last_round:.1f} ms, "
            f"ratio {last_round / first_round:.2f}"
        )


def same_messages(latencies: list[float]) -> tuple[float, float] | None:
    """Median latency (ms) of the first round of messages and of the last whole round: the
    bands above hold different messages (a round has 16), this compares like with like."""
    size = len(ROUND)
    if len(latencies) < 2 * size:
        return None
    last_start = (len(latencies) // size - 1) * size
    first = statistics.median(latencies[:size]) * 1000
    last = statistics.median(latencies[last_start : last_start + size]) * 1000
    return first, last


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ippc-longconv-"))
    url = (
        create_database()
        if args.database == "postgres"
        else f"sqlite:///{workdir / 'data' / 'ippc.db'}"
    )
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    extra = dict(item.split("=", 1) for item in args.env)
    target = IppcRun(workdir, models_dir(), extra_env={"IPPC_DATABASE_URL": url, **extra})
    try:
        if args.stored:
            seconds = prefill(url, args.stored)
            print(f"stored {args.stored:,} conversations ({args.stored * 6:,} events) "
                  f"in {seconds:.1f} s", flush=True)  # fmt: skip
        print(f"starting ippc run ({args.database}) ...", flush=True)
        target.start()
        say(target.rest_url, "warm-up", ROUND[0])  # first-message costs out of the figures
        latencies, empty = play(target, url, args.turns, args.sessions, args.show)
        print(
            f"\n{args.turns} turns, {args.sessions} sessions, {args.database}, "
            f"{args.stored:,} other conversations stored, {empty} empty answers"
            + (f", env {extra}" if extra else "")
        )
        report(latencies, args.turns)
        return 0
    finally:
        target.stop()
        if args.database == "postgres":
            drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
