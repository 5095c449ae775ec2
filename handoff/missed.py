"""Recording what the bot missed, for the staff inbox ("待改进问题").

Where: the Rasa server's ``HandoffPolicy`` is consulted on every user message with the whole
tracker (text, parse data, channel, the messages before), and it already reads the ticket
table there; so it hands each new user message to ``observe`` below. No event broker, no
extra process, no change to Rasa's endpoints. Per message the cost is a few comparisons on
data already in memory and one counter increment; a database write happens only for a miss,
and in a background thread (``Recorder``), so the user's reply never waits for it. Daily
traffic counts are added up in memory and written in one statement per day and channel
every few seconds. Handoffs for misunderstanding, low ratings and staff flags are recorded
where they happen (the handoff action, the rating, the console).

A message is missed when: the NLU fell back; its confidence is below
``IPPC_INBOX_CONFIDENCE``; the user's next message says nearly the same again (a rephrase);
it led to a handoff for misunderstanding; its conversation was rated 1–2; staff flagged it.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from core.db import session_scope
from core.settings import env
from handoff.masking import mask_sensitive
from handoff.models import MISS_REASONS, DailyTraffic, MissedMessage
from handoff.settings import database_url
from handoff.similarity import similarity
from nlu.topics import FALLBACK_INTENT, HANDOFF_INTENT

logger = logging.getLogger(__name__)

# A next message this similar (character n-grams, 0–1) within REPHRASE_SECONDS is a rephrase.
REPHRASE_SIMILARITY = 0.35
REPHRASE_SECONDS = 180
CONTEXT_LINES = 4
MAX_TEXT_CHARS = 500
FLUSH_SECONDS = 5.0
# A request for a person is understood whatever the confidence reported with it (that of
# the rest of the message, "转人工，问一下…", which only gives the ticket its topic).
UNDERSTOOD_ANYWAY = frozenset({HANDOFF_INTENT})


def confidence_threshold() -> float:
    """Predictions below this confidence go to the inbox (``IPPC_INBOX_CONFIDENCE``)."""
    return float(env("IPPC_INBOX_CONFIDENCE", "0.6"))


@dataclass(frozen=True)
class Turn:
    """A user message as the recorder sees it."""

    text: str
    at: datetime  # aware or naive UTC
    intent: str | None
    topic: str | None
    confidence: float | None


@dataclass(frozen=True)
class Miss:
    conversation_id: str
    channel: str
    turn: Turn
    reasons: tuple[str, ...]
    context: tuple[tuple[str, str], ...] = ()
    center: str | None = None
    ticket_id: int | None = None


@dataclass
class Observation:
    """What ``observe`` takes from the tracker for one new user message."""

    conversation_id: str
    channel: str
    latest: Turn
    previous: Turn | None = None
    new_conversation: bool = False
    context: tuple[tuple[str, str], ...] = ()
    misses: list[Miss] = field(default_factory=list)


def _is_command(text: str) -> bool:
    """Button payloads ("/human_handoff", a rating "5") are not questions."""
    stripped = text.strip()
    return not stripped or stripped.startswith("/") or stripped.isdigit()


def misses_of(observation: Observation, threshold: float | None = None) -> list[Miss]:
    """The misses one new user message reveals: itself (fallback, low confidence) and the
    message before it when this one rephrases it."""
    threshold = confidence_threshold() if threshold is None else threshold
    latest, previous = observation.latest, observation.previous
    found: list[Miss] = []
    reasons: list[str] = []
    if not _is_command(latest.text):
        if latest.intent == FALLBACK_INTENT:
            reasons.append("fallback")
        elif (
            latest.intent not in UNDERSTOOD_ANYWAY
            and latest.confidence is not None
            and latest.confidence < threshold
        ):
            reasons.append("low_confidence")
    if reasons:
        found.append(
            Miss(
                observation.conversation_id,
                observation.channel,
                latest,
                tuple(reasons),
                observation.context,
            )
        )
    if (
        previous is not None
        and not _is_command(previous.text)
        and not _is_command(latest.text)
        and previous.text.strip() != latest.text.strip()
        and abs((_utc(latest.at) - _utc(previous.at)).total_seconds()) <= REPHRASE_SECONDS
        and similarity(previous.text, latest.text) >= REPHRASE_SIMILARITY
    ):
        found.append(
            Miss(
                observation.conversation_id,
                observation.channel,
                previous,
                ("rephrased",),
                observation.context[:-1],
            )
        )
    return found


def _utc(moment: datetime) -> datetime:
    """Naive UTC (the database's convention)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@lru_cache(maxsize=1)
def default_center() -> str | None:
    from handoff.dialogue import ticket_center

    return ticket_center()


def local_day(moment: datetime) -> date:
    from handoff.review import local_zone

    return moment.replace(tzinfo=timezone.utc).astimezone(local_zone()).date()


def record(misses: Iterable[Miss], url: str | None = None) -> list[int]:
    """Store misses; a message already in the inbox (same conversation and time) gains the
    new reasons (and ticket) instead of a second row. Returns the rows' ids."""
    ids: list[int] = []
    with session_scope(database_url(url)) as session:
        for miss in misses:
            ids.append(store_miss(session, miss).id)
    return ids


def store_miss(session: Session, miss: Miss) -> MissedMessage:
    unknown = set(miss.reasons) - set(MISS_REASONS)
    if unknown:
        raise ValueError(f"unknown inbox reasons {sorted(unknown)}")
    at = _utc(miss.turn.at)
    text = mask_sensitive(miss.turn.text.strip())[:MAX_TEXT_CHARS]
    row = session.execute(
        select(MissedMessage)
        .where(MissedMessage.conversation_id == miss.conversation_id, MissedMessage.at == at)
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        row = MissedMessage(
            conversation_id=miss.conversation_id[:255],
            channel=(miss.channel or "rest")[:64],
            center=miss.center if miss.center is not None else default_center(),
            text=text,
            at=at,
            intent=miss.turn.intent,
            topic=miss.turn.topic,
            confidence=miss.turn.confidence,
            reasons="",
            context=json.dumps(
                [[s, mask_sensitive(t)[:MAX_TEXT_CHARS]] for s, t in miss.context],
                ensure_ascii=False,
            ),
            status="open",
        )
        session.add(row)
    merged = row.reason_list + [r for r in miss.reasons if r not in row.reason_list]
    row.reasons = ",".join(merged)
    if miss.ticket_id is not None:
        row.ticket_id = miss.ticket_id
    if row.status == "dismissed" and "flagged" in miss.reasons:
        row.status = "open"  # staff flagged it again: it deserves another look
    session.flush()
    return row


# ------------------------------------------------------------------------------ traffic
TrafficKey = tuple[date, str, str]  # local day, channel, center ("" for none)


def add_traffic(counts: dict[TrafficKey, Counter[str]], url: str | None = None) -> None:
    """Add message, fallback and conversation counts to the daily rows (an UPDATE that adds,
    or an INSERT; concurrent servers never lose each other's counts)."""
    with session_scope(database_url(url)) as session:
        for (day, channel, center), count in counts.items():
            values = {
                name: getattr(DailyTraffic, name) + count[name]
                for name in ("conversations", "messages", "fallbacks")
            }
            key = (
                (DailyTraffic.day == day)
                & (DailyTraffic.channel == channel)
                & (DailyTraffic.center == center)
            )
            if session.execute(update(DailyTraffic).where(key).values(**values)).rowcount:
                continue
            try:
                with session.begin_nested():
                    session.add(
                        DailyTraffic(
                            day=day,
                            channel=channel,
                            center=center,
                            conversations=count["conversations"],
                            messages=count["messages"],
                            fallbacks=count["fallbacks"],
                        )
                    )
            except IntegrityError:  # another server inserted it meanwhile
                session.execute(update(DailyTraffic).where(key).values(**values))


class Recorder:
    """Writes misses and traffic counts from a background thread, so that recording costs
    the user's message nothing but a queue put."""

    def __init__(self, url: str | None = None, flush_seconds: float = FLUSH_SECONDS) -> None:
        self._url = url
        self._flush_seconds = flush_seconds
        self._queue: queue.Queue[Observation | None] = queue.Queue(maxsize=10_000)
        self._traffic: dict[TrafficKey, Counter[str]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, observation: Observation) -> None:
        self._start()
        try:
            self._queue.put_nowait(observation)
        except queue.Full:
            logger.warning("inbox recorder is behind; a message was not recorded")

    def _start(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="inbox-recorder", daemon=True
                    )
                    self._thread.start()
                    atexit.register(self.flush)

    def _run(self) -> None:
        # Misses are written as they come; the traffic counts once every flush_seconds: one
        # UPDATE a message was 8 % of a loaded Rasa server's samples, waiting for SQLite's
        # write lock between tracker saves.
        traffic_written = time.monotonic()
        while True:
            try:
                item = self._queue.get(timeout=self._flush_seconds)
            except queue.Empty:
                item = None
            batch = [item] if item is not None else []
            while not self._queue.empty() and len(batch) < 500:
                batch.append(self._queue.get_nowait())
            due = time.monotonic() - traffic_written >= self._flush_seconds
            self._write(batch, traffic_now=due)
            if due:
                traffic_written = time.monotonic()

    def flush(self) -> None:
        """Write everything observed so far (tests; at exit)."""
        batch = []
        while not self._queue.empty():
            batch.append(self._queue.get_nowait())
        self._write(batch, traffic_now=True)

    def _write(self, batch: Sequence[Observation | None], traffic_now: bool) -> None:
        observations = [o for o in batch if o is not None]
        misses = [m for o in observations for m in o.misses]
        try:
            if misses:
                record(misses, self._url)
            with self._lock:
                for observation in observations:
                    moment = _utc(observation.latest.at)
                    key = (local_day(moment), observation.channel, default_center() or "")
                    count = self._traffic.setdefault(key, Counter())
                    count["messages"] += 1
                    count["fallbacks"] += observation.latest.intent == FALLBACK_INTENT
                    count["conversations"] += observation.new_conversation
                pending, self._traffic = (self._traffic, {}) if traffic_now else ({}, self._traffic)
            if pending:
                add_traffic(pending, self._url)
        except (SQLAlchemyError, OSError, ValueError) as error:
            logger.warning("inbox: could not record %d messages: %s", len(observations), error)


_recorder: Recorder | None = None


def recorder() -> Recorder:
    global _recorder
    if _recorder is None:
        _recorder = Recorder()
    return _recorder


def observe(observation: Observation) -> Observation:
    """Find the misses of a new user message and queue them (and the traffic count)."""
    observation.misses = misses_of(observation)
    recorder().submit(observation)
    return observation


# ------------------------------------------------------------------------------ other sources
def turn_of(line: object) -> Turn:
    """A transcript line (handoff.tickets.Line or a stored TicketMessage) as a Turn."""
    return Turn(
        getattr(line, "text", "") or "",
        getattr(line, "at"),  # noqa: B009 - both kinds have it
        getattr(line, "intent", None),
        getattr(line, "topic", None),
        getattr(line, "confidence", None),
    )


def misunderstood_before_handoff(lines: Sequence[object], reason: str) -> list[Turn]:
    """The user messages a handoff for misunderstanding was about: every message the bot
    fell back on, when the ticket's reason is misunderstood_twice; otherwise the message
    just before the request when the bot fell back on it."""
    users = [line for line in lines if getattr(line, "sender", "") == "user"]
    if reason == "misunderstood_twice":
        return [turn_of(u) for u in users if getattr(u, "intent", None) == FALLBACK_INTENT]
    if len(users) >= 2 and getattr(users[-2], "intent", None) == FALLBACK_INTENT:
        return [turn_of(users[-2])]
    return []


def record_handoff(
    conversation_id: str,
    channel: str,
    lines: Sequence[object],
    reason: str,
    ticket_id: int,
    center: str | None,
    url: str | None = None,
) -> list[int]:
    """Inbox rows for the messages a handoff for misunderstanding was about."""
    turns = misunderstood_before_handoff(lines, reason)
    return record(
        [
            Miss(conversation_id, channel, turn, ("handoff",), center=center, ticket_id=ticket_id)
            for turn in turns
        ],
        url,
    )


def ticket_misses(ticket: object, reason: str, messages: Sequence[object]) -> list[Miss]:
    return [
        Miss(
            ticket.conversation_id,  # type: ignore[attr-defined]
            ticket.channel,  # type: ignore[attr-defined]
            turn_of(message),
            (reason,),
            center=ticket.center,  # type: ignore[attr-defined]
            ticket_id=ticket.id,  # type: ignore[attr-defined]
        )
        for message in messages
        if getattr(message, "sender", "") == "user" and not _is_command(message.text)  # type: ignore[attr-defined]
    ]


def record_low_rating(session: Session, ticket: object) -> list[int]:
    """A conversation rated 1–2: each of its user messages goes to the inbox."""
    return [
        store_miss(session, miss).id
        for miss in ticket_misses(ticket, "low_rating", ticket.messages)  # type: ignore[attr-defined]
    ]
