"""The one clock of the project. The database stores naive UTC (the same on SQLite and
PostgreSQL), so ``utc_now`` is what every table default and comparison uses; code that works
with time zones (working hours) starts from ``aware_utc_now``."""

from __future__ import annotations

from datetime import datetime, timezone


def aware_utc_now() -> datetime:
    """Now, in UTC, with its time zone."""
    return datetime.now(timezone.utc)


def utc_now() -> datetime:
    """Now, in UTC, without a time zone: the form every stored time has."""
    return aware_utc_now().replace(tzinfo=None)
