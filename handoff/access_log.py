"""Who viewed, exported or took over what in the staff console: one row per access, kept for
accountability (purged with the other tables by ``ippc purge``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, delete, select

from core.clock import utc_now
from core.db import Base, session_scope
from handoff.settings import database_url

VIEW = "view"
EXPORT = "export"
TAKE_OVER = "take_over"
STAFF_CREATED = "staff_created"


class AccessLogEntry(Base):
    __tablename__ = "handoff_access_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=utc_now)
    staff_id = Column(Integer, ForeignKey("handoff_staff.id", ondelete="CASCADE"), nullable=False)
    action = Column(String(32), nullable=False)
    ticket_id = Column(Integer, nullable=True)
    detail = Column(String(500), nullable=False, default="")

    __table_args__ = (Index("ix_handoff_access_log_at", "at"),)


def record(
    staff_id: int,
    action: str,
    ticket_id: int | None = None,
    detail: str = "",
    url: str | None = None,
) -> None:
    with session_scope(database_url(url)) as session:
        session.add(
            AccessLogEntry(
                at=utc_now(), staff_id=staff_id, action=action, ticket_id=ticket_id,
                detail=detail[:500],
            )
        )  # fmt: skip


def entries(
    url: str | None = None, limit: int = 100
) -> list[tuple[datetime, int, str, int | None, str]]:
    """The latest entries first: (at, staff id, action, ticket id, detail)."""
    with session_scope(database_url(url)) as session:
        rows = session.execute(
            select(
                AccessLogEntry.at, AccessLogEntry.staff_id, AccessLogEntry.action,
                AccessLogEntry.ticket_id, AccessLogEntry.detail,
            ).order_by(AccessLogEntry.id.desc()).limit(limit)
        )  # fmt: skip
        return [tuple(row) for row in rows]


def purge(before: datetime, url: str | None = None) -> int:
    with session_scope(database_url(url)) as session:
        result = session.execute(delete(AccessLogEntry).where(AccessLogEntry.at < before))
        return result.rowcount or 0
