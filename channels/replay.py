"""Refuse a signed webhook request seen before, across processes: the first use of a key is
stored in the database (a primary key, so two instances racing cannot both win)."""

from __future__ import annotations

from datetime import datetime

from cases.schema import ensure_schema
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from channels.models import ReplayGuard
from core.db import session_scope


def first_use(key: str, message_key: str, url: str | None = None) -> str | None:
    """Record ``key``; None the first time, else the message key stored with it then."""
    url = ensure_schema(url)
    try:
        with session_scope(url) as session:
            session.add(ReplayGuard(key=key, message_key=message_key[:255], seen_at=_now()))
        return None
    except IntegrityError:
        with session_scope(url) as session:
            return (
                session.execute(
                    select(ReplayGuard.message_key).where(ReplayGuard.key == key)
                ).scalar_one_or_none()
                or ""
            )


def purge(before: datetime, url: str | None = None) -> int:
    """Forget keys seen before ``before`` (older requests are refused by their timestamp)."""
    with session_scope(url) as session:
        result = session.execute(delete(ReplayGuard).where(ReplayGuard.seen_at < before))
        return result.rowcount or 0


def _now() -> datetime:
    return datetime.utcnow()
