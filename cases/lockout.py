"""Refusing lookups after too many failed verifications, per conversation and per case number,
so that nobody can try phone digits until one fits. Failures are counted from the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select
from sqlalchemy.engine import Connection

from cases.audit import FAILED_VERIFICATION
from cases.models import CaseLockout, CaseLookupAudit

CONVERSATION = "conversation"
CASE_NUMBER = "case_number"


def is_locked(
    connection: Connection, now: datetime, conversation_id: str, case_number: str
) -> bool:
    table = CaseLockout.__table__
    query = (
        select(func.count())
        .select_from(table)
        .where(table.c.locked_until > now)
        .where(
            or_(
                (table.c.kind == CONVERSATION) & (table.c.key == conversation_id),
                (table.c.kind == CASE_NUMBER) & (table.c.key == case_number),
            )
        )
    )
    return connection.execute(query).scalar_one() > 0


def _failures(connection: Connection, since: datetime, column, value: str) -> int:  # noqa: ANN001
    audit = CaseLookupAudit.__table__
    query = (
        select(func.count())
        .select_from(audit)
        .where(column == value)
        .where(audit.c.at > since)
        .where(audit.c.outcome.in_(FAILED_VERIFICATION))
    )
    return connection.execute(query).scalar_one()


def lock_if_exceeded(
    connection: Connection,
    now: datetime,
    conversation_id: str,
    case_number: str,
    limit: int,
    window: timedelta,
) -> bool:
    """After a failure has been audited: lock each key that reached ``limit`` failures within
    ``window``, for ``window``. True when anything is now locked."""
    audit = CaseLookupAudit.__table__
    since = now - window
    keys = (
        (CONVERSATION, conversation_id, audit.c.conversation_id),
        (CASE_NUMBER, case_number, audit.c.case_number),
    )
    locked = False
    for kind, key, column in keys:
        if _failures(connection, since, column, key) >= limit:
            connection.execute(
                insert(CaseLockout.__table__).values(
                    kind=kind, key=key, locked_until=now + window, created_at=now
                )
            )
            locked = True
    return locked
