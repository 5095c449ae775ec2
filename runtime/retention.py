"""Retention of Rasa's stored conversations: tracker events older than a date are deleted from
the tracker store's ``events`` table (plain SQL: no Rasa import needed)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from core.db import get_engine


def purge_events(before: datetime, url: str) -> int:
    """Delete events with a timestamp before ``before`` (naive UTC); 0 without the table."""
    engine = get_engine(url)
    if not sa.inspect(engine).has_table("events"):
        return 0
    cutoff = before.replace(tzinfo=timezone.utc).timestamp()
    with engine.begin() as connection:
        return connection.execute(
            sa.text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
        ).rowcount
