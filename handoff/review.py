"""Finding tickets for review (date, channel, status, topic, keyword) and turning them into
plain dicts for pages, the JSON/CSV exports and ``ippc handoff list``. Transcript texts are
masked when stored; contacts are masked here."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from handoff.auth import StaffView
from handoff.masking import mask_sensitive
from handoff.models import REASONS, SENDERS, STATUSES, Ticket, TicketMessage
from handoff.tickets import TicketError
from knowledge_base.texts import TextLabels
from knowledge_base.timezone import center_timezone
from nlu.topics import topic_label

MAX_KEYWORD_CHARS = 100
CSV_COLUMNS = (
    "id",
    "conversation_id",
    "channel",
    "center",
    "status",
    "reason",
    "topic",
    "topic_label",
    "created_at",
    "claimed_at",
    "closed_at",
    "assignee",
    "resolution_note",
    "tags",
    "rating",
    "contact",
    "transcript",
)


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    """The center's time zone, in which staff pick dates."""
    return ZoneInfo(center_timezone())


def iso(moment: datetime | None) -> str | None:
    """Stored naive-UTC time as ISO 8601 with its offset."""
    return moment.replace(tzinfo=timezone.utc).isoformat() if moment else None


def local_text(moment: datetime | None) -> str:
    """For pages: the center's local time, to the second."""
    if moment is None:
        return ""
    return (
        moment.replace(tzinfo=timezone.utc).astimezone(local_zone()).strftime("%Y-%m-%d %H:%M:%S")
    )


@dataclass(frozen=True)
class ReviewFilter:
    date_from: date | None = None
    date_to: date | None = None
    channel: str | None = None
    status: str | None = None
    topic: str | None = None
    keyword: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ReviewFilter:
        """From a form or URL query; a malformed value raises TicketError."""

        def day(name: str) -> date | None:
            value = (query.get(name) or "").strip()
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError as error:
                raise TicketError(f"{name} must be a date YYYY-MM-DD") from error

        status = (query.get("status") or "").strip() or None
        if status and status not in STATUSES:
            raise TicketError(f"status must be one of {', '.join(STATUSES)}")
        keyword = (query.get("keyword") or "").strip() or None
        if keyword and len(keyword) > MAX_KEYWORD_CHARS:
            raise TicketError(f"keyword longer than {MAX_KEYWORD_CHARS} characters")
        result = cls(
            date_from=day("date_from"),
            date_to=day("date_to"),
            channel=(query.get("channel") or "").strip()[:64] or None,
            status=status,
            topic=(query.get("topic") or "").strip()[:64] or None,
            keyword=keyword,
        )
        if result.date_from and result.date_to and result.date_from > result.date_to:
            raise TicketError("date_from is after date_to")
        return result

    def as_query(self) -> dict[str, str]:
        return {
            key: str(value)
            for key, value in self.__dict__.items()
            if value is not None and value != ""
        }


def _utc_start(day: date) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=local_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_tickets(
    session: Session,
    review: ReviewFilter,
    viewer: StaffView | None = None,
    limit: int | None = 500,
) -> list[Ticket]:
    """Tickets matching ``review`` that ``viewer`` may see (None: all, for the CLI), newest
    first, with their transcripts loaded."""
    query = select(Ticket).options(selectinload(Ticket.messages))
    if viewer is not None and viewer.center is not None:
        query = query.where(Ticket.center == viewer.center)
    if review.date_from:
        query = query.where(Ticket.created_at >= _utc_start(review.date_from))
    if review.date_to:
        query = query.where(Ticket.created_at < _utc_start(review.date_to + timedelta(days=1)))
    if review.channel:
        query = query.where(Ticket.channel == review.channel)
    if review.status:
        query = query.where(Ticket.status == review.status)
    if review.topic:
        query = query.where(
            or_(
                Ticket.topic == review.topic,
                exists().where(
                    and_(TicketMessage.ticket_id == Ticket.id, TicketMessage.topic == review.topic)
                ),
            )
        )
    if review.keyword:
        pattern = f"%{_escape_like(mask_sensitive(review.keyword))}%"
        query = query.where(
            or_(
                Ticket.resolution_note.like(pattern, escape="\\"),
                Ticket.tags.like(pattern, escape="\\"),
                exists().where(
                    and_(
                        TicketMessage.ticket_id == Ticket.id,
                        TicketMessage.text.like(pattern, escape="\\"),
                    )
                ),
            )
        )
    query = query.order_by(Ticket.id.desc())
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars().unique())


def ticket_dict(ticket: Ticket) -> dict[str, Any]:
    """Everything about a ticket, masked, JSON-ready."""
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "center": ticket.center,
        "status": ticket.status,
        "reason": ticket.reason,
        "reason_text": REASONS.get(ticket.reason, ticket.reason),
        "topic": ticket.topic,
        "topic_label": topic_label(ticket.topic),
        "created_at": iso(ticket.created_at),
        "claimed_at": iso(ticket.claimed_at),
        "closed_at": iso(ticket.closed_at),
        "assignee": ticket.assignee.display_name if ticket.assignee else None,
        "resolution_note": mask_sensitive(ticket.resolution_note) or None,
        "tags": ticket.tag_list,
        "rating": ticket.rating,
        "contact": mask_sensitive(ticket.contact) or None,
        "callback_after": iso(ticket.callback_after),
        "transcript": [message_dict(m) for m in ticket.messages],
    }


def message_dict(message: TicketMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "sender": message.sender,
        "text": mask_sensitive(message.text),
        "at": iso(message.at),
        "topic": message.topic,
        "topic_label": topic_label(message.topic),
        "intent": message.intent,
        "confidence": message.confidence,
        "delivered": message.delivered,
    }


def export_json(tickets: list[Ticket]) -> str:
    return json.dumps([ticket_dict(t) for t in tickets], ensure_ascii=False, indent=2)


def _transcript_text(transcript: list[dict[str, Any]]) -> str:
    labels = TextLabels("handoff.sender", SENDERS)
    return "\n".join(
        f"[{line['at']}] {labels.get(line['sender'], line['sender'])}: {line['text']}"
        for line in transcript
    )


def _csv_cell(value: Any) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @ at the start of a cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(tickets: list[Ticket]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for ticket in tickets:
        row = ticket_dict(ticket)
        row["tags"] = ",".join(row["tags"])
        row["transcript"] = _transcript_text(row["transcript"])
        writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
    return "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 Chinese correctly
