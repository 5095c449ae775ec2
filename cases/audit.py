"""The lookup audit log: who asked about which case, when, over which channel, and what came
of it. The phone digits a user typed are never written anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from cases.models import CaseLookupAudit

# Outcomes, as stored and printed.
FOUND = "found"
WRONG_PHONE = "wrong_phone"
UNKNOWN_CASE = "unknown_case"
LOCKED = "locked"
BACKEND_ERROR = "backend_error"
FAILED_VERIFICATION = (WRONG_PHONE, UNKNOWN_CASE)
MAX_KEY = 64  # what a user typed as a case number can be long; the audit keeps the start


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    conversation_id: str
    channel: str
    case_number: str
    outcome: str


def record(
    connection: Connection,
    at: datetime,
    conversation_id: str,
    channel: str,
    case_number: str,
    outcome: str,
) -> None:
    connection.execute(
        insert(CaseLookupAudit.__table__).values(
            at=at,
            conversation_id=conversation_id[:255],
            channel=(channel or "unknown")[:64],
            case_number=case_number[:MAX_KEY],
            outcome=outcome,
        )
    )


def entries(
    connection: Connection, limit: int = 50, case_number: str | None = None
) -> list[AuditEntry]:
    """The most recent entries first."""
    table = CaseLookupAudit.__table__
    query = select(
        table.c.at, table.c.conversation_id, table.c.channel, table.c.case_number, table.c.outcome
    ).order_by(table.c.at.desc(), table.c.id.desc())
    if case_number:
        query = query.where(table.c.case_number == case_number)
    return [AuditEntry(*row) for row in connection.execute(query.limit(limit))]


def purge(connection: Connection, before: datetime) -> int:
    """Delete audit entries older than ``before``; how many."""
    table = CaseLookupAudit.__table__
    return connection.execute(table.delete().where(table.c.at < before)).rowcount
