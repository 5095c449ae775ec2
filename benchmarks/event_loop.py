"""Blocking I/O benchmark: what the database costs the event loops. Prints figures; asserts
nothing. One process, a few seconds:

    .venv/bin/python -m benchmarks.event_loop [--database sqlite|postgres] [--concurrent 20]

1. HandoffPolicy: 200 predictions for a conversation with no ticket (the usual case), each
   after a new user message; "before" asks the database every time (the old behaviour, kept
   by disabling the policy's memory), "after" as shipped.
2. Action server: ``--concurrent`` handoff relays (each adds the message to the ticket and
   claims the outbox) run at once on one event loop, with a coroutine ticking every 10 ms
   beside them: the longest the loop went without ticking, and the wall time. "before" calls
   the database on the loop as the old code did; "after" through ``core.db.run_sync``.

PostgreSQL: a schema of its own in the ``test`` database on 127.0.0.1:5432, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

import actions.handoff as handoff_actions
import handoff.policy as policy_module
from benchmarks.handoff_policy import _fill
from benchmarks.loop_stall import TICK, max_stall
from core.db import get_engine
from core.migrate import upgrade
from handoff.policy import HandoffPolicy
from handoff.tickets import Line, open_ticket

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
PREDICTIONS = 200
DOMAIN = Domain.from_yaml(
    'version: "3.1"\nintents: [greet]\nactions: [action_handoff_relay, action_handoff_rate]'
)


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    """A migrated database with 5,000 tickets, exported as IPPC_DATABASE_URL."""
    import os

    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            _fill(url, 5000)
            os.environ["IPPC_DATABASE_URL"] = url
            yield url
            get_engine(url).dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_SERVER}?options=-csearch_path={schema}"
    try:
        upgrade(url)
        _fill(url, 5000)
        os.environ["IPPC_DATABASE_URL"] = url
        yield url
    finally:
        get_engine(url).dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# ----------------------------------------------------------------------------- the policy
def _policy() -> HandoffPolicy:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    context = ExecutionContext(GraphSchema({}), "bench")
    return HandoffPolicy.create(
        HandoffPolicy.get_default_config(), storage, Resource("handoff"), context
    )


def _predictions(policy: HandoffPolicy, remember: bool) -> float:
    """Seconds for PREDICTIONS predictions, one per new user message of one conversation."""
    start = time.time() - 120  # the conversation began two minutes ago
    tracker = DialogueStateTracker.from_events(
        f"bench-{uuid.uuid4().hex[:8]}", [ActionExecuted("action_listen", timestamp=start)]
    )
    original = policy_module.unchanged_since
    if not remember:
        policy_module.unchanged_since = lambda events, asked_at: False
    try:
        elapsed = 0.0
        for _ in range(PREDICTIONS):
            tracker.update(UserUttered("hello", intent={"name": "greet", "confidence": 0.9}))
            began = time.perf_counter()
            policy.predict_action_probabilities(tracker, DOMAIN)
            elapsed += time.perf_counter() - began
            tracker.update(ActionExecuted("utter_greet"))
            tracker.update(ActionExecuted("action_listen"))
    finally:
        policy_module.unchanged_since = original
    return elapsed


# ----------------------------------------------------------------------------- the actions
async def _inline(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """The old way: the blocking call made on the event loop itself."""
    return fn(*args, **kwargs)


def _relay_tracker(sender: str) -> Tracker:
    message = {"text": "still there?", "intent": {"name": "greet", "confidence": 0.9}}
    events = [
        {"event": "user", "text": "still there?", "parse_data": message, "timestamp": time.time()}
    ]
    return Tracker(sender, {}, message, events, False, None, {}, "action_listen")


async def _stall_while(concurrent: int, senders: list[str]) -> tuple[float, float]:
    """(longest loop stall beyond the ticker's own sleep, wall time) of ``concurrent`` relays
    run at once."""
    began = time.perf_counter()
    stall, _ = await max_stall(
        lambda: asyncio.gather(
            *(
                handoff_actions.ActionHandoffRelay().run(
                    CollectingDispatcher(), _relay_tracker(senders[i % len(senders)]), {}
                )
                for i in range(concurrent)
            )
        )
    )
    return max(stall - TICK, 0.0), time.perf_counter() - began


def _actions(concurrent: int, on_the_loop: bool, senders: list[str]) -> tuple[float, float, float]:
    """(median and worst longest stall, median wall time) over 5 rounds."""
    original = handoff_actions.run_sync
    if on_the_loop:
        handoff_actions.run_sync = _inline
    try:
        runs = [asyncio.run(_stall_while(concurrent, senders)) for _ in range(5)]
    finally:
        handoff_actions.run_sync = original
    stalls = [r[0] for r in runs]
    return statistics.median(stalls), max(stalls), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--concurrent", type=int, default=20)
    args = parser.parse_args()
    with database(args.database) as url:
        policy = _policy()
        _predictions(policy, remember=False)  # warm up: engine, words, patterns
        before = _predictions(policy, remember=False)
        after = _predictions(policy, remember=True)
        print(f"database: {args.database}")
        print(f"HandoffPolicy, {PREDICTIONS} predictions of a conversation without ticket:")
        print(f"  before (a query each): {before * 1000:8.1f} ms  ({before / 0.2:.2f} ms each)")
        print(f"  after  (remembered):   {after * 1000:8.1f} ms  ({after / 0.2:.2f} ms each)")

        now = datetime.now(timezone.utc)
        senders = [f"rest:bench-relay-{i}" for i in range(args.concurrent)]
        for sender in senders:
            open_ticket(
                sender, "rest", "user_request", [Line("user", "a person please", now)], url=url
            )
        _actions(args.concurrent, on_the_loop=False, senders=senders)  # warm up
        print(f"{args.concurrent} concurrent action_handoff_relay runs, 5 rounds (median / worst):")
        for label, on_the_loop in (("before (on the loop)", True), ("after (run_sync)", False)):
            stall, worst, wall = _actions(args.concurrent, on_the_loop, senders)
            print(
                f"  {label:22} longest loop stall {stall * 1000:6.1f} / {worst * 1000:6.1f} ms,"
                f" wall {wall * 1000:6.1f} ms"
            )


if __name__ == "__main__":
    main()
