"""What the console's live views poll: the queue, and a ticket's new messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.clock import utc_now
from handoff.auth import StaffView
from handoff.masking import mask_sensitive
from handoff.models import ACTIVE, LEFT_MESSAGE, REASONS, WAITING, Ticket, TicketMessage
from handoff.review import iso, local_text, message_dict
from handoff.staff_ops import visible_ticket
from nlu.topics import topic_label

PREVIEW_CHARS = 60
MAX_ROWS = 200


def _row(ticket: Ticket) -> dict[str, Any]:
    users = [m for m in ticket.messages if m.sender == "user"]
    last = users[-1].text if users else ""
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "status": ticket.status,
        "reason": REASONS.get(ticket.reason, ticket.reason),
        "topic": ticket.topic or "",
        "topic_label": topic_label(ticket.topic),
        "created": local_text(ticket.created_at),
        "waiting_minutes": int((utc_now() - ticket.created_at).total_seconds() // 60),
        "assignee": ticket.assignee.display_name if ticket.assignee else "",
        "assignee_id": ticket.assignee_id,
        "last_message": mask_sensitive(last)[:PREVIEW_CHARS],
        "messages": len(ticket.messages),
        "callback_after": local_text(ticket.callback_after),
    }


def queue_snapshot(session: Session, viewer: StaffView) -> dict[str, Any]:
    """Waiting tickets (oldest first), active ones, and unanswered left messages."""
    query = (
        select(Ticket)
        .options(selectinload(Ticket.messages))
        .where(Ticket.status.in_((WAITING, ACTIVE, LEFT_MESSAGE)))
        .order_by(Ticket.id)
        .limit(MAX_ROWS)
    )
    if viewer.center is not None:
        query = query.where(Ticket.center == viewer.center)
    tickets = list(session.execute(query).scalars().unique())
    by_status = {
        status: [_row(t) for t in tickets if t.status == status]
        for status in (WAITING, ACTIVE, LEFT_MESSAGE)
    }
    return {
        "waiting": by_status[WAITING],
        "active": by_status[ACTIVE],
        "left_messages": by_status[LEFT_MESSAGE],
        "me": viewer.id,
        "at": iso(utc_now()),
    }


def ticket_updates(
    session: Session, viewer: StaffView, ticket_id: int, after: int
) -> dict[str, Any]:
    """The ticket's state and the transcript lines with id > ``after``."""
    ticket = visible_ticket(session, viewer, ticket_id)
    messages = session.execute(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id, TicketMessage.id > after)
        .order_by(TicketMessage.id)
    ).scalars()
    return {
        "id": ticket.id,
        "status": ticket.status,
        "assignee": ticket.assignee.display_name if ticket.assignee else "",
        "rating": ticket.rating,
        "messages": [{**message_dict(m), "local_at": local_text(m.at)} for m in messages],
    }
