"""Case records from a center's own business system over HTTP (schema in docs/cases.md).

``GET {IPPC_CASES_HTTP_URL}/cases/{case_number}`` with ``Authorization: Bearer <token>``:
200 with the case as JSON, 404 when there is no such case. Each attempt has a timeout, a failed
attempt is retried once within the overall deadline, and a circuit breaker stops calling a
backend that keeps failing. Whatever goes wrong, the caller gets ``BackendUnavailable`` in time.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from cases.backends import BackendUnavailable
from cases.backends.breaker import CircuitBreaker
from cases.csv_rows import parse_datetime
from cases.records import CaseRecord
from cases.settings import CaseSettings
from core.patterns import normalise_case_number
from knowledge_base.timezone import center_timezone

_LAST4 = re.compile(r"[0-9]{4}")
_REQUIRED = ("case_number", "case_type", "applicant", "status", "updated_at")
_NOT_RETRIED = {400, 401, 403}  # our request or our token is wrong: trying again cannot help


class _AttemptFailed(Exception):
    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


def parse_case(payload: Any, case_number: str, timezone_name: str = "Asia/Shanghai") -> CaseRecord:
    """The backend's JSON as a CaseRecord; anything malformed raises ValueError."""
    if not isinstance(payload, dict):
        raise ValueError("the answer is not a JSON object")
    for field in _REQUIRED:
        if not isinstance(payload.get(field), str) or not payload[field].strip():
            raise ValueError(f"field {field!r} is missing or not a non-empty string")
    if normalise_case_number(payload["case_number"]) != case_number:
        raise ValueError("the answer is about another case number")
    last4 = payload.get("phone_last4")
    if last4 is None and isinstance(payload.get("phone"), str):
        last4 = re.sub(r"[^0-9]", "", payload["phone"])[-4:]
    if not isinstance(last4, str) or not _LAST4.fullmatch(last4):
        raise ValueError("phone_last4 (or phone) must give four digits")
    updated_at = parse_datetime(payload["updated_at"], timezone_name)
    if not isinstance(updated_at, datetime):
        raise ValueError("updated_at is not a date")
    note = payload.get("note") or ""
    if not isinstance(note, str):
        raise ValueError("note is not a string")
    return CaseRecord(
        case_number=case_number,
        case_type=payload["case_type"].strip(),
        applicant=payload["applicant"].strip(),
        phone_last4=last4,
        status=payload["status"].strip(),
        updated_at=updated_at,
        note=note,
    )


class HttpCaseBackend:
    def __init__(
        self,
        base_url: str,
        token: str,
        attempt_timeout: float,
        deadline: float,
        breaker: CircuitBreaker,
        timezone_name: str = "Asia/Shanghai",
    ) -> None:
        if not base_url:
            raise ValueError("IPPC_CASES_HTTP_URL is not set but IPPC_CASES_BACKEND=http")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.attempt_timeout = attempt_timeout
        self.deadline = deadline
        self.breaker = breaker
        self.timezone_name = timezone_name

    @classmethod
    def from_settings(cls, settings: CaseSettings) -> HttpCaseBackend:
        return cls(
            settings.http_url,
            settings.http_token,
            settings.http_timeout,
            settings.deadline,
            CircuitBreaker(settings.breaker_failures, settings.breaker_reset),
            timezone_name=center_timezone(),
        )

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def _attempt(
        self, client: aiohttp.ClientSession, case_number: str, timeout: float
    ) -> CaseRecord | None:
        url = f"{self.base_url}/cases/{quote(case_number, safe='')}"
        try:
            async with client.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                if response.status == 404:
                    return None
                if response.status != 200:
                    raise _AttemptFailed(
                        f"HTTP {response.status}", retry=response.status not in _NOT_RETRIED
                    )
                payload = await response.json(content_type=None)
        except asyncio.TimeoutError:
            raise _AttemptFailed(f"no answer within {timeout:.1f} s") from None
        except aiohttp.ClientError as error:
            raise _AttemptFailed(error.__class__.__name__) from None
        except ValueError as error:  # the body is not JSON
            raise _AttemptFailed(f"not JSON: {error}") from None
        try:
            return parse_case(payload, case_number, self.timezone_name)
        except ValueError as error:
            raise _AttemptFailed(f"malformed answer: {error}") from None

    async def fetch(self, case_number: str) -> CaseRecord | None:
        if not self.breaker.allow():
            raise BackendUnavailable("case backend circuit open: not called")
        end = time.monotonic() + self.deadline
        reason = ""
        # A session per lookup: lookups are rare and it never outlives the event loop it uses.
        async with aiohttp.ClientSession(headers=self._headers()) as client:
            for _attempt in range(2):  # the first try and one retry
                remaining = end - time.monotonic()
                if remaining <= 0.05:
                    break
                timeout = min(self.attempt_timeout, remaining)
                try:
                    record = await self._attempt(client, case_number, timeout)
                except _AttemptFailed as failure:
                    reason = str(failure)
                    if not failure.retry:
                        break
                    continue
                self.breaker.succeeded()
                return record
        self.breaker.failed()
        raise BackendUnavailable(f"case backend: {reason or 'deadline passed'}")
