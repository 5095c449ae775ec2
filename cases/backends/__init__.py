"""Where case records come from: the assistant's own SQL store or the center's HTTP API.
Which one is a setting (IPPC_CASES_BACKEND); both answer ``CaseRecord | None``."""

from __future__ import annotations

from typing import Protocol

from cases.records import CaseRecord
from cases.settings import CaseSettings


class BackendUnavailable(Exception):
    """The backend could not answer in time or answered nonsense; the user hears 系统繁忙."""


class CaseBackend(Protocol):
    async def fetch(self, case_number: str) -> CaseRecord | None:
        """The case, or None when the backend knows no such case number."""


_backends: dict[tuple, CaseBackend] = {}


def get_backend(settings: CaseSettings, database_url: str) -> CaseBackend:
    """One backend per configuration in a process, so that the circuit breaker's state and
    the HTTP connection pool are shared by all lookups."""
    key = (settings, database_url)
    if key not in _backends:
        if settings.backend == "http":
            from cases.backends.http import HttpCaseBackend

            _backends[key] = HttpCaseBackend.from_settings(settings)
        else:
            from cases.backends.sql import SqlCaseBackend

            _backends[key] = SqlCaseBackend(database_url)
    return _backends[key]
