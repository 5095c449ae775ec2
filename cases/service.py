"""A verified case lookup: an attempt reserved on every lockout budget (atomically, before the
backend is asked), backend fetch, phone check, audit, all within the deadline. Both a wrong
phone and an unknown case number give the same outcome to the caller."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from cases import audit, lockout
from cases.backends import BackendUnavailable, CaseBackend, get_backend
from cases.records import CaseRecord
from cases.settings import CaseSettings, get_case_settings
from core.clock import utc_now
from core.db import get_engine, run_sync
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

    def _budgets(self, conversation_id: str, case_number: str, client: str | None) -> list:
        settings = self.settings
        budgets = [
            lockout.Budget(lockout.CONVERSATION, conversation_id[:255], settings.lockout_failures),
            lockout.Budget(
                lockout.CASE_NUMBER, lockout.case_key(case_number), settings.lockout_failures
            ),
            lockout.Budget(lockout.GLOBAL, "all", settings.global_failures),
        ]
        if client:
            budgets.append(lockout.Budget(lockout.CLIENT, client[:255], settings.client_failures))
        return budgets

    def _reserve(self, budgets: list, conversation_id: str, case_number: str, channel: str):  # noqa: ANN202
        """(allowed, this attempt is the last one); a refusal is audited as ``locked``."""
        now = utc_now()
        window = timedelta(seconds=self.settings.lockout_window)
        engine = get_engine(self.database_url)
        try:
            with engine.begin() as connection:
                return True, lockout.reserve(connection, now, budgets, window)
        except lockout.Locked:
            with engine.begin() as connection:
                audit.record(connection, now, conversation_id, channel, case_number, audit.LOCKED)
            return False, False

    def _conclude(
        self, budgets: list, conversation_id: str, channel: str, case_number: str, outcome: str
    ) -> None:
        """Audit the outcome; anything but a failed verification gives the attempt back."""
        with get_engine(self.database_url).begin() as connection:
            audit.record(connection, utc_now(), conversation_id, channel, case_number, outcome)
            if outcome not in audit.FAILED_VERIFICATION:
                lockout.give_back(connection, budgets)

    async def lookup(
        self,
        case_number: str,
        phone_last4: str,
        conversation_id: str,
        channel: str,
        client: str | None = None,
    ) -> LookupResult:
        """``client``: who is asking beyond this conversation (the caller's address for REST
        and the widget); WeChat and Telegram conversations are their user already."""
        case_number = normalise_case_number(case_number)
        channel = channel or "unknown"
        budgets = self._budgets(conversation_id, case_number, client)
        try:
            allowed, last_attempt = await run_sync(
                self._reserve, budgets, conversation_id, case_number, channel
            )
        except Exception:  # noqa: BLE001 - the database itself is down: busy, not a crash
            return LookupResult(BUSY)
        if not allowed:
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
            await run_sync(self._conclude, budgets, conversation_id, channel, case_number, outcome)
        except Exception:  # noqa: BLE001 - nothing is shown that the audit log did not record
            return LookupResult(BUSY)
        if outcome == audit.FOUND:
            return LookupResult(FOUND, case=record)
        if outcome == audit.BACKEND_ERROR:
            return LookupResult(BUSY)
        return LookupResult(NOT_VERIFIED, locked_now=last_attempt)

    def unlock(self, case_number: str) -> int:
        """Staff lift a case number's lock after checking the applicant's identity."""
        with get_engine(self.database_url).begin() as connection:
            return lockout.unlock(connection, normalise_case_number(case_number))


def purge(before: datetime, database_url: str | None = None) -> dict[str, int]:
    """Retention: audit entries and lockout counters older than ``before`` (running locks
    are kept). How many rows of each were deleted."""
    with get_engine(database_url).begin() as connection:
        return {
            "case_lookup_audit": audit.purge(connection, before),
            "case_lookup_budget": lockout.purge(connection, before, utc_now()),
        }
