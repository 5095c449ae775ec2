"""Tickets from the bot's side: open one, add what the user says, find the state a
conversation is in (handed over, awaiting a rating), store the rating."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import get_engine, session_scope
from handoff.masking import mask_sensitive
from handoff.missed import record_low_rating
from handoff.models import (
    ACTIVE,
    CLOSED,
    LEFT_MESSAGE,
    OPEN_STATUSES,
    REASONS,
    SENDERS,
    WAITING,
    Ticket,
    TicketMessage,
)
from handoff.settings import database_url

# A conversation rated this or lower goes to the inbox.
LOW_RATING = 2
# The median wait is taken over this many recently claimed tickets.
RECENT_CLAIMS = 50


class TicketError(ValueError):
    """A request on a ticket that cannot be carried out (unknown, wrong state, bad value)."""


@dataclass(frozen=True)
class Line:
    """One transcript line before it is stored."""

    sender: str
    text: str
    at: datetime
    topic: str | None = None
    intent: str | None = None
    confidence: float | None = None


def to_naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _message(line: Line, staff_id: int | None = None) -> TicketMessage:
    if line.sender not in SENDERS:
        raise TicketError(f"unknown sender {line.sender!r}")
    return TicketMessage(
        sender=line.sender,
        text=mask_sensitive(line.text),
        at=to_naive_utc(line.at),
        topic=line.topic,
        intent=line.intent,
        confidence=line.confidence,
        staff_id=staff_id,
    )


def find_open_ticket(session: Session, conversation_id: str) -> Ticket | None:
    return session.execute(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_ticket(
    conversation_id: str,
    channel: str,
    reason: str,
    lines: list[Line],
    *,
    center: str | None = None,
    topic: str | None = None,
    status: str = WAITING,
    contact: str | None = None,
    callback_after: datetime | None = None,
    url: str | None = None,
) -> int:
    """Open a ticket with the conversation so far; an already open one is reused (and gets
    only the lines it does not have yet), so a repeated request never makes a second ticket."""
    if reason not in REASONS:
        raise TicketError(f"unknown handoff reason {reason!r}")
    if status not in (WAITING, LEFT_MESSAGE):
        raise TicketError(f"a new ticket cannot be {status!r}")
    if not conversation_id:
        raise TicketError("a ticket needs a conversation id")
    with session_scope(database_url(url)) as session:
        ticket = find_open_ticket(session, conversation_id) if status == WAITING else None
        if ticket is None:
            now = utc_now()
            ticket = Ticket(
                conversation_id=conversation_id,
                channel=channel or "rest",
                center=center,
                status=status,
                reason=reason,
                topic=topic,
                created_at=now,
                updated_at=now,
                tags="",
                contact=contact,
                callback_after=to_naive_utc(callback_after) if callback_after else None,
            )
            session.add(ticket)
            known = None
        else:
            known = max((m.at for m in ticket.messages), default=None)
        for line in lines:
            if known is None or to_naive_utc(line.at) > known:
                ticket.messages.append(_message(line))
        session.flush()
        return ticket.id


def add_line(conversation_id: str, line: Line, url: str | None = None) -> int | None:
    """Append a line to the conversation's open ticket; the ticket's id, or None."""
    with session_scope(database_url(url)) as session:
        ticket = find_open_ticket(session, conversation_id)
        if ticket is None:
            return None
        ticket.messages.append(_message(line))
        ticket.updated_at = utc_now()
        return ticket.id


def queue_position(ticket_id: int, url: str | None = None) -> int:
    """1 for the first waiting ticket of its center; 0 when it is not waiting."""
    with session_scope(database_url(url)) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.status != WAITING:
            return 0
        return session.execute(
            select(func.count(Ticket.id)).where(
                Ticket.status == WAITING,
                Ticket.center.is_(None)
                if ticket.center is None
                else Ticket.center == ticket.center,
                Ticket.id <= ticket.id,
            )
        ).scalar_one()


def median_wait_minutes(session: Session) -> float | None:
    """Median minutes from opening to claim over the recent claimed tickets."""
    rows = session.execute(
        select(Ticket.created_at, Ticket.claimed_at)
        .where(Ticket.claimed_at.is_not(None))
        .order_by(Ticket.claimed_at.desc())
        .limit(RECENT_CLAIMS)
    ).all()
    waits = [(claimed - created).total_seconds() / 60 for created, claimed in rows]
    return statistics.median(waits) if waits else None


def expected_wait_minutes(position: int, default_per_user: int, url: str | None = None) -> int:
    """A rough, honest estimate: the recent median wait, or ``default_per_user`` per place."""
    with session_scope(database_url(url)) as session:
        median = median_wait_minutes(session)
    if median is None:
        return max(1, default_per_user * max(1, position))
    return max(1, round(median * max(1, position)))


def conversation_state(conversation_id: str, window_minutes: int, url: str | None = None) -> str:
    """'handed_over' while a ticket is waiting or active, 'rating' while the last closed
    ticket may still be rated, else ''. Read by the dialogue policy on every user message."""
    return ticket_state(conversation_id, window_minutes, url)[0]


# The latest waiting, active or closed ticket of a conversation, else its latest left message:
# built once (the handoff policy asks it for new conversations on the event loop).
_LATEST_TICKET = (
    select(Ticket.status, Ticket.closed_at, Ticket.rating)
    .where(Ticket.conversation_id == bindparam("conversation"))
    .order_by(case((Ticket.status.in_((WAITING, ACTIVE, CLOSED)), 0), else_=1), Ticket.id.desc())
    .limit(1)
)


def ticket_state(
    conversation_id: str, window_minutes: int, url: str | None = None
) -> tuple[str, bool]:
    """(:func:`conversation_state`, whether the conversation has any ticket at all, a left
    message included), in one query: the latest waiting, active or closed ticket, else the
    latest left message."""
    with get_engine(database_url(url)).connect() as connection:
        ticket = connection.execute(_LATEST_TICKET, {"conversation": conversation_id}).first()
    if ticket is None:
        return "", False
    status, closed_at, rating = ticket
    if status in OPEN_STATUSES:
        return "handed_over", True
    if (
        status == CLOSED
        and rating is None
        and closed_at
        and utc_now() - closed_at <= timedelta(minutes=window_minutes)
    ):
        return "rating", True
    return "", True


def rate_last_ticket(
    conversation_id: str, rating: int, window_minutes: int, url: str | None = None
) -> int | None:
    """Store ``rating`` (1–5) on the conversation's last closed, unrated ticket."""
    if not 1 <= rating <= 5:
        raise TicketError(f"a rating is 1 to 5, not {rating}")
    with session_scope(database_url(url)) as session:
        ticket = session.execute(
            select(Ticket)
            .where(Ticket.conversation_id == conversation_id, Ticket.status == CLOSED)
            .order_by(Ticket.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if ticket is None or ticket.rating is not None or ticket.closed_at is None:
            return None
        if utc_now() - ticket.closed_at > timedelta(minutes=window_minutes):
            return None
        ticket.rating = rating
        ticket.rated_at = utc_now()
        if rating <= LOW_RATING:
            record_low_rating(session, ticket)
        return ticket.id
