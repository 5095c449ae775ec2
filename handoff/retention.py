"""Retention of the handoff area: closed tickets (with their transcripts), answered left
messages, the console access log and the login throttle, older than a date (``ippc purge``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select

from core.db import session_scope
from handoff import access_log
from handoff.auth import purge_throttle
from handoff.models import CLOSED, LEFT_MESSAGE, Ticket, TicketMessage
from handoff.settings import database_url


def purge_tickets(before: datetime, url: str | None = None) -> int:
    """Delete tickets closed before ``before`` and left messages last touched before it; open
    tickets are never deleted. How many tickets."""
    with session_scope(database_url(url)) as session:
        old = or_(
            and_(Ticket.status == CLOSED, Ticket.closed_at < before),
            and_(Ticket.status == LEFT_MESSAGE, Ticket.updated_at < before),
        )
        ids = [row for (row,) in session.execute(select(Ticket.id).where(old))]
        if not ids:
            return 0
        session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
        session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
        return len(ids)


def purge(before: datetime, url: str | None = None) -> dict[str, int]:
    """Every handoff table with a retention; rows deleted per table."""
    return {
        "handoff_tickets": purge_tickets(before, url),
        "handoff_access_log": access_log.purge(before, url),
        "handoff_login_throttle": purge_throttle(before, url),
    }
