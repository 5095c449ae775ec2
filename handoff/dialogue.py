"""The bot's side of a handoff, on plain tracker data so that it is testable without Rasa:
the transcript so far, why the user is handed over, and what the bot tells them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from core.clock import aware_utc_now
from core.patterns import CONTACT_PHONE, EMAIL
from handoff.history import with_earlier_messages
from handoff.hours import WorkingHours, current_time, describe_moment
from handoff.masking import scrub_events
from handoff.missed import record_handoff
from handoff.models import LEFT_MESSAGE, REASONS
from handoff.settings import get_handoff_settings
from handoff.tickets import (
    Line,
    add_line,
    expected_wait_minutes,
    open_ticket,
    queue_position,
)
from knowledge_base.texts import say
from knowledge_base.words import words
from nlu.topics import FALLBACK_INTENT, HANDOFF_INTENT, topic_of, understanding

JUDGEMENT_INTENT = "infringement_judgement"
MAX_TRANSCRIPT_LINES = 200
MAX_NOTE_CHARS = 500

Event = Mapping[str, Any]


def _at(event: Event) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)):
        return datetime.fromtimestamp(stamp, tz=timezone.utc)
    return aware_utc_now()


def _bot_text(event: Event) -> str:
    text = event.get("text") or ""
    buttons = ((event.get("data") or {}).get("buttons")) or []
    titles = " / ".join(str(b.get("title", "")) for b in buttons if isinstance(b, Mapping))
    if titles:
        shown = say("handoff.transcript_buttons", titles=titles)
        text = f"{text}\n{shown}" if text else shown
    return text


def current_session(events: Iterable[Event]) -> list[Event]:
    """The events since the last session start (the conversation the user sees now)."""
    events = list(events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index + 1 :]
    return events


def user_line(event: Event) -> Line:
    """A user event as a transcript line with the bot's understanding of it."""
    intent, topic, confidence = understanding(event.get("parse_data"))
    return Line("user", event.get("text") or "", _at(event), topic, intent, confidence)


def _latest_parse(events: Iterable[Event]) -> Mapping[str, Any] | None:
    users = [e for e in events if e.get("event") == "user"]
    return users[-1].get("parse_data") if users else None


def latest_user_line(events: Iterable[Event]) -> Line | None:
    users = [e for e in events if e.get("event") == "user"]
    return user_line(users[-1]) if users else None


def transcript_lines(events: Iterable[Event]) -> list[Line]:
    """User and bot messages of the current session, each user message with the bot's
    understanding (intent, topic, confidence); the digits that prove a case is the user's
    are masked (handoff.masking.scrub_events)."""
    lines: list[Line] = []
    for event in scrub_events(current_session(events)):
        kind = event.get("event")
        if kind == "user":
            lines.append(user_line(event))
        elif kind == "bot":
            text = _bot_text(event)
            if text:
                lines.append(Line("bot", text, _at(event)))
    return lines[-MAX_TRANSCRIPT_LINES:]


def handoff_reason(events: list[Event], latest_intent: str | None) -> str:
    """needs_judgement, misunderstood_twice (the bot failed twice, or the user took its
    offer of a human), or user_request."""
    if latest_intent == JUDGEMENT_INTENT:
        return "needs_judgement"
    users = [e for e in current_session(events) if e.get("event") == "user"][:-1]
    recent = [((e.get("parse_data") or {}).get("intent") or {}).get("name") for e in users[-2:]]
    if len(recent) == 2 and all(name == FALLBACK_INTENT for name in recent):
        return "misunderstood_twice"
    return "user_request"


# Topics that say nothing about what the user needs: a ticket is never "about" them while
# the conversation names a real question.
NO_SUBJECT_TOPICS = frozenset({HANDOFF_INTENT, "greet", "goodbye", "thanks", "bot_identity"})


def rest_topic(parse_data: Mapping[str, Any] | None) -> str | None:
    """The topic of the rest of a handoff request ("转人工，问一下海外维权"), which the NLU
    keeps in the parse data (``handoff_topic``); read defensively: None when absent or odd."""
    if not isinstance(parse_data, Mapping):
        return None
    try:
        name, topic, _confidence = understanding(dict(parse_data))
    except (AttributeError, TypeError, ValueError):
        return None
    return topic if name == HANDOFF_INTENT and topic and topic != HANDOFF_INTENT else None


def _subject(topic: str | None, intent: str | None) -> bool:
    return bool(topic) and topic not in NO_SUBJECT_TOPICS and intent != FALLBACK_INTENT


def conversation_topic(
    lines: list[Line], latest_intent: str | None, latest_parse: Mapping[str, Any] | None = None
) -> str | None:
    """What the conversation was about: the intent of the request itself unless it only asks
    for a person; then what the rest of that request named; then the last user message the
    bot understood that names a subject (a fallback's guess or a greeting never counts)."""
    if latest_intent and latest_intent not in (HANDOFF_INTENT, FALLBACK_INTENT):
        return topic_of(latest_intent)
    rest = rest_topic(latest_parse)
    if rest:
        return rest
    for line in reversed(lines):
        if line.sender == "user" and _subject(line.topic, line.intent):
            return line.topic
    return HANDOFF_INTENT


def ticket_center() -> str | None:
    from knowledge_base.base import get_knowledge_base

    return get_handoff_settings().center or get_knowledge_base().center_info.center


@dataclass(frozen=True)
class HandoffOutcome:
    """What happened: a ticket in the queue, or staff are away (offer to leave a message)."""

    messages: list[str]
    reason: str
    ticket_id: int | None = None
    offline: bool = False


def start_handoff(
    conversation_id: str,
    channel: str,
    events: list[Event],
    latest_intent: str | None,
    now: datetime | None = None,
) -> HandoffOutcome:
    hours = WorkingHours.from_settings()
    now = now or current_time()
    reason = handoff_reason(events, latest_intent)
    lead = say("handoff.judgement_lead") if reason == "needs_judgement" else ""
    if not hours.is_open(now):
        back = describe_moment(hours.next_open(now), now)
        return HandoffOutcome(
            messages=[say("handoff.offline", lead=lead, hours=hours.describe(), back=back)],
            reason=reason,
            offline=True,
        )
    settings = get_handoff_settings()
    lines = transcript_lines(with_earlier_messages(conversation_id, events))
    ticket_id = open_ticket(
        conversation_id,
        channel,
        reason,
        lines,
        center=ticket_center(),
        topic=conversation_topic(lines, latest_intent, _latest_parse(events)),
    )
    center = ticket_center()
    record_handoff(conversation_id, channel, lines, reason, ticket_id, center)
    position = queue_position(ticket_id)
    wait = expected_wait_minutes(position, settings.minutes_per_waiting_user)
    ahead = max(0, position - 1)
    text = say("handoff.queued", lead=lead, ticket_id=ticket_id, ahead=ahead, wait=wait)
    add_line(conversation_id, Line("bot", text, aware_utc_now()))
    return HandoffOutcome(messages=[text], reason=reason, ticket_id=ticket_id)


def valid_contact(text: str | None) -> str | None:
    """A phone number or an e-mail address found in the reply, or None."""
    text = text or ""
    match = EMAIL.search(text) or CONTACT_PHONE.search(text)
    return match.group(0) if match else None


@lru_cache(maxsize=1)
def _cancel_pattern() -> re.Pattern[str]:
    options = sorted(words("handoff.cancel"), key=len, reverse=True)
    alternation = "|".join(re.escape(word) for word in options)
    return re.compile(rf"^\s*(?:{alternation})\s*[。.!！]*\s*$", re.I)


def cancel_payload() -> str:
    """What the form's "no message" button sends: the first cancel word."""
    return words("handoff.cancel")[0]


def is_cancel(text: str | None) -> bool:
    """The whole message is one of the cancel words (words/handoff.yml)."""
    return bool(_cancel_pattern().match(text or ""))


def leave_message(
    conversation_id: str,
    channel: str,
    events: list[Event],
    contact: str,
    reason: str | None,
    now: datetime | None = None,
) -> str:
    """Turn the after-hours form into a left-message ticket for the next working period;
    returns what the bot tells the user."""
    hours = WorkingHours.from_settings()
    now = now or current_time()
    back = hours.next_open(now)
    lines = transcript_lines(with_earlier_messages(conversation_id, events))
    ticket_id = open_ticket(
        conversation_id,
        channel,
        reason if reason in REASONS else "left_message",
        lines,
        center=ticket_center(),
        topic=conversation_topic(lines, None),
        status=LEFT_MESSAGE,
        contact=contact,
        callback_after=back,
    )
    return say("handoff.message_left", ticket_id=ticket_id, back=describe_moment(back, now))
