"""The staff inbox ("待改进问题"): missed messages grouped into rows, and what staff do with
them - label a topic, ask for a new answer with a draft, dismiss, approve a draft (admins).
Everything is scoped like tickets: staff with a center see only that center's messages."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.paths import DATA_DIR
from handoff.auth import StaffView
from handoff.masking import mask_sensitive
from handoff.missed import local_day
from handoff.models import MISS_REASONS, AnswerDraft, MissedMessage, Ticket
from handoff.similarity import MAX_GROUPED, canonical, group_texts
from handoff.tickets import TicketError
from nlu.topics import topic_label, topic_of, topics

TREND_DAYS = 14
MAX_DRAFT_CHARS = 2000
MAX_SOURCE_CHARS = 500
_NLU_INTENT = re.compile(r"^\s*-\s*intent:\s*([\w/]+)\s*\n\s*examples:\s*\|\s*\n\s*-\s*(.+)$", re.M)


# ------------------------------------------------------------------------------ labels
@lru_cache(maxsize=1)
def bot_intents() -> dict[str, str]:
    """Every intent of the bot's NLU data (sub-intents such as fasttrack_process/grant_time
    included) with its first training example: what a label can be, so that exported
    examples train an answer the bot has."""
    found: dict[str, str] = {}
    for path in sorted((DATA_DIR / "nlu").glob("*.yml")):
        for name, example in _NLU_INTENT.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, example.strip())
    return found


def intent_label(intent: str | None) -> str:
    """Chinese label of an intent: its topic's label, and for a sub-intent or an intent that
    is not a topic, its first training example ("预审流程、时限 › 预审合格后多久授权")."""
    if not intent:
        return ""
    topic = topic_of(intent)
    label = topic_label(topic or intent)
    if topic == intent or topic is None:
        return label
    return f"{label} › {bot_intents().get(intent, intent)}"


def label_choices() -> list[tuple[str, str]]:
    """(intent, Chinese label) staff may assign, in taxonomy order; out of scope included."""
    order = {topic: index for index, topic in enumerate(topics())}
    intents = [i for i in bot_intents() if topic_of(i)]
    intents.sort(key=lambda i: (order.get(topic_of(i) or "", 99), i))
    return [(intent, intent_label(intent)) for intent in intents]


def valid_label(intent: str) -> str:
    if intent not in dict(label_choices()):
        raise TicketError("choose a topic from the list")
    return intent


# ------------------------------------------------------------------------------ rows
@dataclass
class InboxRow:
    """One question, however many ways it was asked."""

    ids: list[int]
    text: str
    count: int
    first_seen: datetime
    last_seen: datetime
    topic: str | None
    confidence: float | None
    reasons: dict[str, int]
    channels: dict[str, int]
    days: list[int]  # messages per day, oldest first (TREND_DAYS)
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def trend(self) -> str:
        """up / down / flat: the last week against the week before."""
        half = len(self.days) // 2
        before, after = sum(self.days[:half]), sum(self.days[half:])
        return "up" if after > before else "down" if after < before else "flat"

    @property
    def key(self) -> int:
        return min(self.ids)

    @property
    def sparkline(self) -> str:
        """The daily counts as a tiny SVG (numbers only, safe to inline)."""
        width, height, peak = 84, 20, max(self.days + [1])
        step = width / max(1, len(self.days) - 1)
        points = " ".join(
            f"{i * step:.1f},{height - 2 - (height - 4) * n / peak:.1f}"
            for i, n in enumerate(self.days)
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}" aria-hidden="true">'
            f'<polyline fill="none" stroke="#2f6fb3" stroke-width="1.5" points="{points}"/></svg>'
        )


def visible(query: Any, viewer: StaffView) -> Any:
    return query if viewer.center is None else query.where(MissedMessage.center == viewer.center)


def inbox_rows(
    session: Session, viewer: StaffView, status: str = "open", today: date | None = None
) -> list[InboxRow]:
    """The viewer's messages in ``status``, grouped, biggest and most recent first."""
    found = list(
        session.execute(
            visible(select(MissedMessage), viewer)
            .where(MissedMessage.status == status)
            .order_by(MissedMessage.at.desc())
            .limit(MAX_GROUPED)
        ).scalars()
    )
    labels = group_texts([m.text for m in found])
    groups: dict[int, list[MissedMessage]] = {}
    for message, label in zip(found, labels, strict=True):
        groups.setdefault(label, []).append(message)
    tickets = _tickets_of(session, {m.conversation_id for m in found})
    rows = [_row(members, today, tickets) for members in groups.values()]
    rows.sort(key=lambda row: (-row.count, -row.last_seen.timestamp()))
    return rows


def _tickets_of(session: Session, conversations: set[str]) -> dict[str, int]:
    """The latest ticket of each conversation, for the link from a message."""
    if not conversations:
        return {}
    rows = session.execute(
        select(Ticket.conversation_id, Ticket.id).where(
            Ticket.conversation_id.in_(list(conversations)[:1000])
        )
    ).all()
    latest: dict[str, int] = {}
    for conversation, ticket_id in rows:
        latest[conversation] = max(ticket_id, latest.get(conversation, 0))
    return latest


def _row(members: list[MissedMessage], today: date | None, tickets: dict[str, int]) -> InboxRow:
    from handoff.review import local_text

    today = today or local_day(utc_now())
    first_day = today - timedelta(days=TREND_DAYS - 1)
    days = [0] * TREND_DAYS
    for message in members:
        offset = (local_day(message.at) - first_day).days
        if 0 <= offset < TREND_DAYS:
            days[offset] += 1
    texts = Counter(canonical(m.text) for m in members)
    most_common = texts.most_common(1)[0][0]
    text = next(m.text for m in members if canonical(m.text) == most_common)
    topics_seen = Counter(m.topic for m in members if m.topic)
    topic = topics_seen.most_common(1)[0][0] if topics_seen else None
    confidences = [m.confidence for m in members if m.confidence is not None]
    reasons: Counter[str] = Counter(r for m in members for r in m.reason_list)
    return InboxRow(
        ids=[m.id for m in members],
        text=text,
        count=len(members),
        first_seen=min(m.at for m in members),
        last_seen=max(m.at for m in members),
        topic=topic,
        confidence=round(sum(confidences) / len(confidences), 2) if confidences else None,
        reasons=dict(reasons),
        channels=dict(Counter(m.channel for m in members)),
        days=days,
        messages=[
            {
                "id": m.id,
                "text": mask_sensitive(m.text),
                "at": local_text(m.at),
                "channel": m.channel,
                "topic": m.topic,
                "topic_label": topic_label(m.topic),
                "intent": m.intent,
                "confidence": m.confidence,
                "reasons": [MISS_REASONS.get(r, r) for r in m.reason_list],
                "conversation_id": m.conversation_id,
                "ticket_id": m.ticket_id or tickets.get(m.conversation_id),
                "context": [
                    (sender, mask_sensitive(text)) for sender, text in json.loads(m.context or "[]")
                ],
            }
            for m in sorted(members, key=lambda m: m.at, reverse=True)
        ],
    )


# ------------------------------------------------------------------------------ actions
MAX_IDS = MAX_GROUPED


def parse_ids(values: list[str]) -> list[int]:
    """Message ids from a form; anything else is refused with a clear message."""
    ids = []
    for value in values[:MAX_IDS]:
        if not value.isdigit():
            raise TicketError("invalid message id")
        ids.append(int(value))
    if not ids:
        raise TicketError("choose at least one message")
    return ids


def _messages(session: Session, viewer: StaffView, ids: list[int]) -> list[MissedMessage]:
    found = list(
        session.execute(visible(select(MissedMessage), viewer).where(MissedMessage.id.in_(ids)))
        .scalars()
        .all()
    )
    if len(found) != len(set(ids)):
        raise TicketError("no such message")
    return found


def _labeller(viewer: StaffView) -> str:
    return f"{viewer.display_name} ({viewer.username})"


def label_messages(session: Session, viewer: StaffView, ids: list[int], intent: str) -> int:
    """Give messages the topic (intent) they should have had; out_of_scope is a topic too."""
    intent = valid_label(intent)
    now = utc_now()
    for message in _messages(session, viewer, ids):
        message.status = "labelled"
        message.label_topic = intent
        message.labelled_by = _labeller(viewer)
        message.labelled_at = now
    return len(ids)


def dismiss_messages(session: Session, viewer: StaffView, ids: list[int]) -> int:
    for message in _messages(session, viewer, ids):
        message.status = "dismissed"
        message.labelled_by = _labeller(viewer)
        message.labelled_at = utc_now()
    return len(ids)


def draft_answer(
    session: Session, viewer: StaffView, ids: list[int], topic: str, text: str, source: str
) -> int:
    """The bot has no answer for these messages: keep a draft answer and its source until
    an admin approves it; the messages wait with it (status needs_answer)."""
    if topic not in topics():
        raise TicketError("choose a topic from the list")
    text, source = (text or "").strip(), (source or "").strip()
    if not text or len(text) > MAX_DRAFT_CHARS:
        raise TicketError(f"the draft answer needs 1–{MAX_DRAFT_CHARS} characters")
    if not source or len(source) > MAX_SOURCE_CHARS:
        raise TicketError(f"name the answer's source (1–{MAX_SOURCE_CHARS} characters)")
    messages = _messages(session, viewer, ids)
    draft = AnswerDraft(
        center=viewer.center,
        topic=topic,
        question=messages[0].text,
        text=mask_sensitive(text),
        source=source,
        status="draft",
        created_by=_labeller(viewer),
        created_at=utc_now(),
    )
    session.add(draft)
    session.flush()
    for message in messages:
        message.status = "needs_answer"
        message.label_topic = topic
        message.labelled_by = _labeller(viewer)
        message.labelled_at = utc_now()
        message.draft_id = draft.id
    return draft.id


def list_drafts(session: Session, viewer: StaffView) -> list[dict[str, Any]]:
    from handoff.review import local_text

    query = select(AnswerDraft).order_by(AnswerDraft.id.desc()).limit(200)
    if viewer.center is not None:
        query = query.where(AnswerDraft.center == viewer.center)
    drafts = []
    for draft in session.execute(query).scalars():
        examples = session.execute(
            select(MissedMessage.text).where(MissedMessage.draft_id == draft.id).limit(20)
        ).scalars()
        drafts.append(
            {
                "id": draft.id,
                "topic": draft.topic,
                "topic_label": topic_label(draft.topic),
                "question": draft.question,
                "text": draft.text,
                "source": draft.source,
                "status": draft.status,
                "created_by": draft.created_by,
                "created_at": local_text(draft.created_at),
                "approved_by": draft.approved_by,
                "approved_at": local_text(draft.approved_at),
                "examples": list(examples),
            }
        )
    return drafts


def approve_draft(session: Session, viewer: StaffView, draft_id: int) -> None:
    """Admins only: the draft may be published by the next export and ``ippc train``."""
    if not viewer.is_admin:
        raise TicketError("administrators only")
    draft = session.get(AnswerDraft, draft_id)
    if draft is None or (viewer.center is not None and draft.center != viewer.center):
        raise TicketError("no such draft")
    draft.status = "approved"
    draft.approved_by = _labeller(viewer)
    draft.approved_at = utc_now()


def flag_message(session: Session, viewer: StaffView, ticket_id: int, message_id: int) -> int:
    """Staff flag a user line of a transcript they can see: it goes to the inbox."""
    from handoff.missed import store_miss, ticket_misses
    from handoff.models import TicketMessage
    from handoff.staff_ops import visible_ticket

    ticket = visible_ticket(session, viewer, ticket_id)
    line = session.get(TicketMessage, message_id)
    if line is None or line.ticket_id != ticket.id or line.sender != "user":
        raise TicketError("only a user's message can be flagged")
    misses = ticket_misses(ticket, "flagged", [line])
    if not misses:
        raise TicketError("only a user's message can be flagged")
    return store_miss(session, misses[0]).id


def counts(session: Session, viewer: StaffView) -> dict[str, int]:
    """Messages per status, for the inbox's tabs."""
    from sqlalchemy import func

    query = visible(select(MissedMessage.status, func.count(MissedMessage.id)), viewer).group_by(
        MissedMessage.status
    )
    return {status: count for status, count in session.execute(query).all()}
