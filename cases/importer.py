"""Writing validated case rows in one transaction: new cases are inserted, known ones updated,
and every new or changed status is appended to the case's history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from cases.csv_rows import CaseRow
from cases.models import Case, CaseHistory
from core.clock import utc_now
from core.db import get_engine
from core.settings import get_settings

_CHUNK = 2000  # rows per SELECT ... IN and per executemany batch


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _chunks(rows: Sequence[CaseRow]) -> Iterable[Sequence[CaseRow]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


# What a row sets on a case, and the part of it that makes a new history entry: a new status,
# date or note is history; a corrected name or phone is not.
CASE_FIELDS = ("case_type", "applicant", "phone", "status", "updated_at", "note")
HISTORY_FIELDS = ("status", "updated_at", "note")


def _fields(row: CaseRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in CASE_FIELDS}


def _existing(connection: Connection, numbers: list[str]) -> dict[str, dict[str, object]]:
    """The stored fields of those of ``numbers`` that are known, by case number."""
    table = Case.__table__
    query = select(table.c.case_number, *(table.c[name] for name in CASE_FIELDS)).where(
        table.c.case_number.in_(numbers)
    )
    return {
        row["case_number"]: {name: row[name] for name in CASE_FIELDS}
        for row in connection.execute(query).mappings()
    }


@dataclass
class _Batch:
    """What one chunk of rows writes, and how many rows were new, changed or the same."""

    inserts: list[dict[str, object]] = field(default_factory=list)
    updates: list[dict[str, object]] = field(default_factory=list)
    history: list[dict[str, object]] = field(default_factory=list)
    unchanged: int = 0


def _plan(chunk: Sequence[CaseRow], known: dict[str, dict[str, object]], now: datetime) -> _Batch:
    batch = _Batch()
    for row in chunk:
        old, new = known.get(row.case_number), _fields(row)
        if old == new:
            batch.unchanged += 1
            continue
        record = {**new, "imported_at": now}
        if old is None:
            batch.inserts.append({"case_number": row.case_number, **record})
        else:
            batch.updates.append({"key": row.case_number, **record})
        if old is None or any(old[name] != new[name] for name in HISTORY_FIELDS):
            entry = {name: new[name] for name in HISTORY_FIELDS}
            batch.history.append({"case_number": row.case_number, **entry, "recorded_at": now})
    return batch


def _write(connection: Connection, batch: _Batch) -> None:
    cases = Case.__table__
    if batch.inserts:
        connection.execute(insert(cases), batch.inserts)
    if batch.updates:
        values = {name: bindparam(name) for name in (*CASE_FIELDS, "imported_at")}
        update_case = update(cases).where(cases.c.case_number == bindparam("key")).values(values)
        connection.execute(update_case, batch.updates)
    if batch.history:
        connection.execute(insert(CaseHistory.__table__), batch.history)


def import_rows(rows: Sequence[CaseRow], url: str | None = None) -> ImportResult:
    """All rows or none: one transaction, rolled back on any error."""
    now = utc_now()
    created = updated = unchanged = 0
    with get_engine(url or get_settings().database_url).begin() as connection:
        for chunk in _chunks(rows):
            batch = _plan(chunk, _existing(connection, [row.case_number for row in chunk]), now)
            _write(connection, batch)
            created += len(batch.inserts)
            updated += len(batch.updates)
            unchanged += batch.unchanged
    return ImportResult(created, updated, unchanged)
