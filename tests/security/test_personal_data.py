"""Findings 10 and 14: the digits that prove a case is one's own never reach the stored Rasa
events, transcripts or exports in clear, and ``ippc purge --older-than 180d`` deletes what is
older from every table that grows (events, tickets, access log, throttle, lookup audit and
counters, outbox, replay guard), keeping open tickets and recent rows."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from cases.models import CaseLookupAudit
from channels import outbox, replay
from core.db import get_engine, session_scope
from handoff import access_log
from handoff.auth import add_staff
from handoff.dialogue import transcript_lines
from handoff.masking import mask_sensitive
from handoff.models import LoginThrottle, MissedMessage, Ticket
from handoff.tickets import Line, open_ticket
from ippc.cli import main
from runtime.config_files import sql_tracker_store
from runtime.tracker_store import PingingSQLTrackerStore

PROOF = [
    ActionExecuted("action_listen"),
    UserUttered("查询案件 YS2025000123", {"name": "case_status", "confidence": 0.9}),
    SlotSet("case_number", "YS2025000123"),
    SlotSet("requested_slot", "phone_last4"),
    BotUttered("请输入申请时登记手机号的后四位。"),
    UserUttered(
        "5678",
        {"name": "inform", "confidence": 0.9},
        [{"entity": "phone_last4", "value": "5678", "start": 0, "end": 4}],
    ),
    SlotSet("phone_last4", "5678"),
    SlotSet("requested_slot", None),
    UserUttered("另一个案件 BA2024000456 后四位 4321，电话13900001111", {"name": "x"}),
]


async def test_stored_events_hold_no_proof_digits(sqlite_db: str) -> None:
    settings = sql_tracker_store(sqlite_db)
    settings.pop("type")
    store = PingingSQLTrackerStore(domain=Domain.empty(), **settings)
    tracker = DialogueStateTracker.from_events("rest:owner", PROOF)
    await store.save(tracker)
    with get_engine(sqlite_db).connect() as connection:
        stored = " ".join(row[0] for row in connection.execute(sa.text("SELECT data FROM events")))
    for secret in ("5678", "4321", "13900001111"):
        assert secret not in stored, secret
    assert "YS2025000123" in stored  # the case number alone is not a secret
    # The conversation in memory still had the digits for the lookup of this turn.
    assert tracker.get_slot("phone_last4") == "5678"


def test_transcripts_and_exports_mask_a_case_number_with_its_digits() -> None:
    assert "5678" not in mask_sensitive("案件YS2025000123，手机后四位5678")
    assert "5678" not in mask_sensitive("ys-2025-000123 5678")
    events = [e.as_dict() for e in PROOF]
    texts = " ".join(line.text for line in transcript_lines(events))
    assert "5678" not in texts and "4321" not in texts and "13900001111" not in texts


def _age(url: str, table: sa.Table, column: str, when: datetime) -> None:
    with get_engine(url).begin() as connection:
        connection.execute(table.update().values({column: when}))


def test_purge_deletes_old_rows_of_every_growing_table(
    sqlite_db: str, capsys: pytest.CaptureFixture
) -> None:
    old = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=200)
    staff = add_staff("retention", "a-password-long-enough", url=sqlite_db)
    line = Line("user", "转人工", datetime.now(timezone.utc))
    closed = open_ticket("rest:old", "rest", "user_request", [line], url=sqlite_db)
    still_open = open_ticket("rest:new", "rest", "user_request", [line], url=sqlite_db)
    with session_scope(sqlite_db) as session:
        ticket = session.get(Ticket, closed)
        ticket.status, ticket.closed_at = "closed", old
        session.add(LoginThrottle(key="user:x@1.2.3.4", failures=3, last_failure_at=old))
        session.add(MissedMessage(conversation_id="rest:old", text="附近有停车场吗", at=old))
    access_log.record(staff.id, access_log.VIEW, closed, url=sqlite_db)
    _age(sqlite_db, access_log.AccessLogEntry.__table__, "at", old)
    outbox.store("rest:old", "rest", [{"text": "旧消息"}], url=sqlite_db)
    _age(sqlite_db, outbox.OutboxMessage.__table__, "created_at", old)
    replay.first_use("wechat:old-signature", "1", url=sqlite_db)
    _age(sqlite_db, replay.ReplayGuard.__table__, "seen_at", old)
    with get_engine(sqlite_db).begin() as connection:
        connection.execute(
            CaseLookupAudit.__table__.insert().values(
                at=old, conversation_id="rest:old", channel="rest",
                case_number="YS2025000123", outcome="wrong_phone",
            )
        )  # fmt: skip
        connection.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, timestamp FLOAT)"))
        connection.execute(sa.text("INSERT INTO events (timestamp) VALUES (:old), (:now)"),
                           {"old": time.time() - 200 * 86400, "now": time.time()})  # fmt: skip
    capsys.readouterr()
    assert main(["purge", "--older-than", "180d", "--json"]) == 0
    deleted = json.loads(capsys.readouterr().out)["deleted"]
    assert deleted == {
        "events": 1, "handoff_tickets": 1, "handoff_access_log": 1,
        "handoff_login_throttle": 1, "case_lookup_audit": 1, "case_lookup_budget": 0,
        "channel_outbox": 1, "channel_replay_guard": 1, "inbox_messages": 1,
    }  # fmt: skip
    with session_scope(sqlite_db) as session:
        assert session.get(Ticket, still_open) is not None  # open tickets are kept
    assert main(["purge", "--older-than", "soon"]) == 2
