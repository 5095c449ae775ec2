"""What staff do with tickets in the console: claim, reply, transfer, close. Replies and the
closing message reach the user through ``channels.push`` on the user's own channel."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.push import push_messages
from core.clock import utc_now
from core.db import run_sync, session_scope
from handoff.auth import StaffView
from handoff.masking import mask_sensitive
from handoff.models import (
    ACTIVE,
    CLOSED,
    LEFT_MESSAGE,
    WAITING,
    Staff,
    Ticket,
    TicketMessage,
)
from handoff.rating import rating_question
from handoff.settings import database_url
from handoff.tickets import TicketError
from knowledge_base.texts import say

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
MAX_NOTE_CHARS = 2000
TAG = re.compile(r"[\w\u4e00-\u9fff-]{1,32}")


def can_see(staff: StaffView, ticket: Ticket) -> bool:
    """Staff bound to a center see only that center's tickets; unbound staff see all."""
    return staff.center is None or ticket.center == staff.center


def visible_ticket(session: Session, staff: StaffView, ticket_id: int) -> Ticket:
    """The ticket, or TicketError as if it did not exist when ``staff`` may not see it."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_see(staff, ticket):
        raise TicketError("no such ticket")
    return ticket


def parse_tags(text: str | None) -> list[str]:
    """Comma- or space-separated tags; each 1–32 letters, digits, CJK or '-'."""
    tags: list[str] = []
    for raw in re.split(r"[,，\s]+", text or ""):
        if not raw:
            continue
        if not TAG.fullmatch(raw):
            raise TicketError(f"tag {raw[:40]!r} must be 1–32 letters, digits or '-'")
        if raw not in tags:
            tags.append(raw)
    return tags


def claim(staff: StaffView, ticket_id: int, url: str | None = None) -> None:
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        if ticket.status not in (WAITING, LEFT_MESSAGE):
            raise TicketError("only a waiting ticket or a left message can be claimed")
        now = utc_now()
        ticket.status = ACTIVE if ticket.status == WAITING else ticket.status
        ticket.assignee_id = staff.id
        ticket.claimed_at = ticket.claimed_at or now
        ticket.updated_at = now


def transfer(
    staff: StaffView, ticket_id: int, to_staff_id: int | None, url: str | None = None
) -> None:
    """Hand the ticket to a colleague, or back to the queue (``to_staff_id`` None)."""
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        if ticket.status == CLOSED:
            raise TicketError("a closed ticket cannot be transferred")
        if to_staff_id is None:
            ticket.assignee_id = None
            if ticket.status == ACTIVE:
                ticket.status = WAITING
        else:
            target = session.get(Staff, to_staff_id)
            if target is None or not target.active:
                raise TicketError("no such colleague")
            if target.center is not None and target.center != ticket.center:
                raise TicketError("that colleague works for another center")
            ticket.assignee_id = target.id
            if ticket.status == WAITING:
                ticket.status = ACTIVE
                ticket.claimed_at = ticket.claimed_at or utc_now()
        ticket.updated_at = utc_now()


async def _push(conversation_id: str, channel: str, messages: list[dict[str, Any]]) -> bool:
    try:
        return await push_messages(conversation_id, channel, messages)
    except Exception:  # a delivery failure must not lose the staff reply
        logger.exception("push to %s on %s failed", conversation_id, channel)
        return False


async def reply(staff: StaffView, ticket_id: int, text: str, url: str | None = None) -> bool:
    """Store the reply in the transcript, then deliver it; True when delivered or queued."""
    text = (text or "").strip()
    if not text:
        raise TicketError("the reply is empty")
    if len(text) > MAX_REPLY_CHARS:
        raise TicketError(f"the reply is longer than {MAX_REPLY_CHARS} characters")
    message_id, conversation_id, channel = await run_sync(_store_reply, staff, ticket_id, text, url)
    delivered = await _push(
        conversation_id, channel, [{"text": say("handoff.staff_reply", text=text)}]
    )
    await run_sync(_mark_delivered, message_id, delivered, url)
    return delivered


def _store_reply(
    staff: StaffView, ticket_id: int, text: str, url: str | None
) -> tuple[int, str, str]:
    """(the new message's id, the conversation, its channel)."""
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        if ticket.status == CLOSED:
            raise TicketError("the ticket is closed")
        if ticket.status == WAITING:  # replying takes the ticket
            ticket.status = ACTIVE
            ticket.claimed_at = ticket.claimed_at or utc_now()
        if ticket.assignee_id is None:
            ticket.assignee_id = staff.id
        message = TicketMessage(
            sender="staff", text=mask_sensitive(text), at=utc_now(), staff_id=staff.id
        )
        ticket.messages.append(message)
        ticket.updated_at = utc_now()
        session.flush()
        return message.id, ticket.conversation_id, ticket.channel


def _mark_delivered(message_id: int, delivered: bool, url: str | None) -> None:
    with session_scope(database_url(url)) as session:
        session.get(TicketMessage, message_id).delivered = delivered


async def close(
    staff: StaffView,
    ticket_id: int,
    note: str,
    tags_text: str = "",
    url: str | None = None,
) -> bool:
    """Close with a resolution note and tags; the user is told the bot is back and asked for
    a 1–5 rating. True when that message was delivered or queued."""
    note = (note or "").strip()
    if not note:
        raise TicketError("a resolution note is required to close a ticket")
    if len(note) > MAX_NOTE_CHARS:
        raise TicketError(f"the note is longer than {MAX_NOTE_CHARS} characters")
    tags = parse_tags(tags_text)
    closing = [{"text": say("handoff.closed_by_staff")}, rating_question()]
    was_live, conversation_id, channel = await run_sync(
        _close_ticket, staff, ticket_id, note, tags, closing, url
    )
    if not was_live:  # a left message answered by phone or e-mail: nothing to push
        return True
    return await _push(conversation_id, channel, closing)


def _close_ticket(
    staff: StaffView,
    ticket_id: int,
    note: str,
    tags: list[str],
    closing: list[dict[str, Any]],
    url: str | None,
) -> tuple[bool, str, str]:
    """(the user was still handed over, the conversation, its channel)."""
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        if ticket.status == CLOSED:
            raise TicketError("the ticket is already closed")
        was_live = ticket.status in (WAITING, ACTIVE)
        now = utc_now()
        ticket.status = CLOSED
        ticket.closed_at = now
        ticket.updated_at = now
        ticket.resolution_note = mask_sensitive(note)
        ticket.tags = ",".join(tags)
        ticket.assignee_id = ticket.assignee_id or staff.id
        ticket.claimed_at = ticket.claimed_at or now
        if was_live:
            for item in closing:
                ticket.messages.append(TicketMessage(sender="bot", text=item["text"], at=now))
        return was_live, ticket.conversation_id, ticket.channel


def colleagues(staff: StaffView, url: str | None = None) -> list[tuple[int, str]]:
    """Active staff a ticket can be transferred to (same center, or unbound)."""
    with session_scope(database_url(url)) as session:
        query = select(Staff).where(Staff.active, Staff.id != staff.id).order_by(Staff.username)
        rows = session.execute(query).scalars()
        return [
            (s.id, s.display_name)
            for s in rows
            if s.center is None or staff.center is None or s.center == staff.center
        ]
