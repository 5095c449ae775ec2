"""Refusing lookups after too many failed verifications, so that nobody can try phone digits
until one fits. Every attempt first *reserves* one failure on each of its keys with a
conditional UPDATE (``failures < limit`` and not locked), in one transaction, before the
backend is asked; an attempt that turns out verified (or a backend error) gives its reservation
back. So parallel attempts can never pass the check together, and the keys are:

- the conversation (qualified id, e.g. ``rest:abc``),
- the case number, with every separator removed (``YS-2025 000123`` = ``YS2025000123``),
- the client: the caller's address (REST, widget) or the channel user (WeChat, Telegram),
  so that starting new conversations does not reset the count,
- all lookups together (a global budget against a distributed search).

The attempt that reaches a limit locks its key for the window. Staff can lift a case number's
lock for an applicant whose identity they checked (``ippc cases unlock``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from cases.models import CaseLockout, CaseLookupBudget

CONVERSATION = "conversation"
CASE_NUMBER = "case_number"
CLIENT = "client"
GLOBAL = "global"
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def case_key(case_number: str) -> str:
    """The lockout key of a case number: letters and digits only, upper case."""
    return _SEPARATORS.sub("", case_number).upper()[:255]


@dataclass(frozen=True)
class Budget:
    kind: str
    key: str
    limit: int


class Locked(Exception):
    """A key has no attempt left (the reservation is rolled back)."""


def _ensure_row(connection: Connection, budget: Budget, now: datetime) -> None:
    table = CaseLookupBudget.__table__
    exists = connection.execute(
        select(table.c.id).where(table.c.kind == budget.kind, table.c.key == budget.key)
    ).first()
    if exists:
        return
    try:
        with connection.begin_nested():
            connection.execute(
                insert(table).values(kind=budget.kind, key=budget.key, window_start=now, failures=0)
            )
    except IntegrityError:  # another attempt created it a moment ago
        pass


def _where(budget: Budget):  # noqa: ANN202 - a SQL expression
    table = CaseLookupBudget.__table__
    return and_(table.c.kind == budget.kind, table.c.key == budget.key)


def _not_locked(now: datetime):  # noqa: ANN202
    table = CaseLookupBudget.__table__
    return or_(table.c.locked_until.is_(None), table.c.locked_until <= now)


def reserve(
    connection: Connection, now: datetime, budgets: list[Budget], window: timedelta
) -> bool:
    """Reserve one failure on every key; True when the last free attempt of a key was taken
    (that key is now locked until ``now + window``). Raises :class:`Locked` when a key has
    none left: the caller's transaction must then be rolled back."""
    table = CaseLookupBudget.__table__
    reaches_limit = False
    for budget in budgets:
        _ensure_row(connection, budget, now)
        connection.execute(  # a window that has passed (and no lock) starts afresh
            update(table)
            .where(_where(budget), table.c.window_start <= now - window, _not_locked(now))
            .values(window_start=now, failures=0, locked_until=None)
        )
        last = table.c.failures + 1 >= budget.limit
        taken = connection.execute(
            update(table)
            .where(_where(budget), table.c.failures < budget.limit, _not_locked(now))
            .values(
                failures=table.c.failures + 1,
                locked_until=case((last, now + window), else_=None),
            )
        ).rowcount
        if taken != 1:
            raise Locked(budget.kind)
        reaches_limit = (
            reaches_limit
            or connection.execute(select(table.c.locked_until).where(_where(budget))).scalar_one()
            is not None
        )
    return reaches_limit


def give_back(connection: Connection, budgets: list[Budget]) -> None:
    """The attempt was verified (or never reached the backend): its reservation is returned,
    and a lock it set is lifted."""
    table = CaseLookupBudget.__table__
    for budget in budgets:
        connection.execute(
            update(table)
            .where(_where(budget), table.c.failures > 0)
            .values(
                failures=table.c.failures - 1,
                locked_until=case(
                    (table.c.failures - 1 < budget.limit, None), else_=table.c.locked_until
                ),
            )
        )


def unlock(connection: Connection, case_number: str) -> int:
    """Lift the lock of a case number (staff checked the applicant); how many were lifted."""
    table = CaseLookupBudget.__table__
    return connection.execute(
        update(table)
        .where(table.c.kind == CASE_NUMBER, table.c.key == case_key(case_number))
        .values(failures=0, locked_until=None)
    ).rowcount


def purge(connection: Connection, before: datetime, now: datetime) -> int:
    """Forget counters whose window started before ``before`` and that lock nothing now, and
    the lockouts of the old scheme (``case_lockout``) that have ended."""
    table, old = CaseLookupBudget.__table__, CaseLockout.__table__
    counted = connection.execute(
        delete(table).where(table.c.window_start < before, _not_locked(now))
    ).rowcount
    ended = connection.execute(delete(old).where(old.c.locked_until < now)).rowcount
    return counted + ended
