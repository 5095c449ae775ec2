"""Case records from the assistant's own database (imported with ``ippc cases import``)."""

from __future__ import annotations

from sqlalchemy import select

from cases.backends import BackendUnavailable
from cases.models import Case
from cases.records import CaseRecord
from core.db import get_engine, run_sync


class SqlCaseBackend:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def fetch_sync(self, case_number: str) -> CaseRecord | None:
        table = Case.__table__
        query = select(table).where(table.c.case_number == case_number)
        with get_engine(self.database_url).connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return CaseRecord(
            case_number=row["case_number"],
            case_type=row["case_type"],
            applicant=row["applicant"],
            phone_last4=row["phone"][-4:],
            status=row["status"],
            updated_at=row["updated_at"],
            note=row["note"] or "",
        )

    async def fetch(self, case_number: str) -> CaseRecord | None:
        """Runs in a worker thread: the action server's event loop never waits on the database."""
        try:
            return await run_sync(self.fetch_sync, case_number)
        except Exception as error:  # any database failure is "busy" to the user
            raise BackendUnavailable(f"case database: {error.__class__.__name__}") from error
