"""Writing validated case rows in one transaction: new cases are inserted, known ones updated,
and every new or changed status is appended to the case's history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def _existing(connection: Connection, numbers: list[str]) -> dict[str, tuple]:
    table = Case.__table__
    query = select(
        table.c.case_number,
        table.c.case_type,
        table.c.applicant,
        table.c.phone,
        table.c.status,
        table.c.updated_at,
        table.c.note,
    ).where(table.c.case_number.in_(numbers))
    return {row[0]: tuple(row[1:]) for row in connection.execute(query)}


def _values(row: CaseRow) -> tuple:
    return (row.case_type, row.applicant, row.phone, row.status, row.updated_at, row.note)


def import_rows(rows: Sequence[CaseRow], url: str | None = None) -> ImportResult:
    """All rows or none: one transaction, rolled back on any error."""
    url = url or get_settings().database_url
    now = utc_now()
    created = updated = unchanged = 0
    cases = Case.__table__
    history = CaseHistory.__table__
    update_case = (
        update(cases)
        .where(cases.c.case_number == bindparam("key"))
        .values(
            case_type=bindparam("case_type"),
            applicant=bindparam("applicant"),
            phone=bindparam("phone"),
            status=bindparam("status"),
            updated_at=bindparam("updated_at"),
            note=bindparam("note"),
            imported_at=bindparam("imported_at"),
        )
    )
    with get_engine(url).begin() as connection:
        for chunk in _chunks(rows):
            known = _existing(connection, [row.case_number for row in chunk])
            inserts, updates, new_history = [], [], []
            for row in chunk:
                old = known.get(row.case_number)
                if old == _values(row):
                    unchanged += 1
                    continue
                record = {
                    "case_type": row.case_type,
                    "applicant": row.applicant,
                    "phone": row.phone,
                    "status": row.status,
                    "updated_at": row.updated_at,
                    "note": row.note,
                    "imported_at": now,
                }
                if old is None:
                    inserts.append({"case_number": row.case_number, **record})
                    created += 1
                else:
                    updates.append({"key": row.case_number, **record})
                    updated += 1
                # Only a new status, date or note is history; a corrected name or phone is not.
                if old is None or old[3:] != _values(row)[3:]:
                    new_history.append(
                        {
                            "case_number": row.case_number,
                            "status": row.status,
                            "updated_at": row.updated_at,
                            "note": row.note,
                            "recorded_at": now,
                        }
                    )
            if inserts:
                connection.execute(insert(cases), inserts)
            if updates:
                connection.execute(update_case, updates)
            if new_history:
                connection.execute(insert(history), new_history)
    return ImportResult(created, updated, unchanged)
