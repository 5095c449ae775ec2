"""A verified case lookup: lockout check, backend fetch, phone check, audit, all within the
deadline. Both a wrong phone and an unknown case number give the same outcome to the caller."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import timedelta

from cases import audit, lockout
from cases.backends import BackendUnavailable, CaseBackend, get_backend
from cases.records import CaseRecord
from cases.settings import CaseSettings, get_case_settings
from core.clock import utc_now
from core.db import get_engine
from core.patterns import normalise_case_number
from core.settings import get_settings

# What the conversation shows; ``NOT_VERIFIED`` covers "no such case" and "wrong phone" alike.
FOUND = "found"
NOT_VERIFIED = "not_verified"
LOCKED = "locked"
BUSY = "busy"

_DUMMY_LAST4 = "\x00\x00\x00\x00"  # compared against when there is no case, to take the same time


@dataclass(frozen=True)
class LookupResult:
    outcome: str
    case: CaseRecord | None = None
    locked_now: bool = False  # this failure was the one that reached the limit


class CaseLookup:
    """Everything a lookup needs, bound to one database and one backend."""

    def __init__(
        self,
        database_url: str | None = None,
        settings: CaseSettings | None = None,
        backend: CaseBackend | None = None,
    ) -> None:
        self.settings = settings or get_case_settings()
        self.database_url = database_url or get_settings().database_url
        self.backend = backend or get_backend(self.settings, self.database_url)

    def _is_locked(self, conversation_id: str, case_number: str, channel: str) -> bool:
        now = utc_now()
        with get_engine(self.database_url).begin() as connection:
            if not lockout.is_locked(connection, now, conversation_id, case_number):
                return False
            audit.record(connection, now, conversation_id, channel, case_number, audit.LOCKED)
            return True

    def _conclude(self, conversation_id: str, channel: str, case_number: str, outcome: str) -> bool:
        """Audit the outcome; after a failed verification, lock if the limit is reached."""
        now = utc_now()
        with get_engine(self.database_url).begin() as connection:
            audit.record(connection, now, conversation_id, channel, case_number, outcome)
            if outcome not in audit.FAILED_VERIFICATION:
                return False
            return lockout.lock_if_exceeded(
                connection,
                now,
                conversation_id,
                case_number,
                self.settings.lockout_failures,
                timedelta(seconds=self.settings.lockout_window),
            )

    async def lookup(
        self, case_number: str, phone_last4: str, conversation_id: str, channel: str
    ) -> LookupResult:
        case_number = normalise_case_number(case_number)
        channel = channel or "unknown"
        try:
            locked = await asyncio.to_thread(self._is_locked, conversation_id, case_number, channel)
        except Exception:  # noqa: BLE001 - the database itself is down: busy, not a crash
            return LookupResult(BUSY)
        if locked:
            return LookupResult(LOCKED)
        try:
            record = await asyncio.wait_for(
                self.backend.fetch(case_number), timeout=self.settings.deadline
            )
        except (BackendUnavailable, asyncio.TimeoutError):
            outcome, record = audit.BACKEND_ERROR, None
        else:
            expected = record.phone_last4 if record else _DUMMY_LAST4
            matches = hmac.compare_digest(expected.encode(), phone_last4.encode())
            if record is None:
                outcome = audit.UNKNOWN_CASE
            else:
                outcome = audit.FOUND if matches else audit.WRONG_PHONE
        try:
            locked_now = await asyncio.to_thread(
                self._conclude, conversation_id, channel, case_number, outcome
            )
        except Exception:  # noqa: BLE001 - nothing is shown that the audit log did not record
            return LookupResult(BUSY)
        if outcome == audit.FOUND:
            return LookupResult(FOUND, case=record)
        if outcome == audit.BACKEND_ERROR:
            return LookupResult(BUSY)
        return LookupResult(NOT_VERIFIED, locked_now=locked_now)
