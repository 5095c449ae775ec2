"""Our SQL tracker store: Rasa's, checking each pooled connection before use
(``pool_pre_ping``, so that after a PostgreSQL restart the first message is not lost on a dead
pooled connection), and writing events without the digits that prove a case is the user's
(the ``phone_last4`` slot, the answer to its question, phone and ID numbers: see
``handoff.masking.scrub_events``). The conversation in memory is not changed; only what is
stored, so the stored events never hold the proof (issue 12, finding 10).

Long conversations (issue 14): Rasa loads and replays every event since the session started
for each message, and its policies featurize all of them, so a message cost grows with the
conversation (40 ms at turn 10, 419 ms at turn 400). A session with more stored events than
``event_cap`` (``IPPC_TRACKER_EVENT_CAP``, default 60: about 8 turns; 0 switches it off)
is loaded as a *window*: the state the session was in at a user turn (its slots' values and
its form, read with one SQL query on the latest ``slot`` / ``active_loop`` rows), then every
event from that turn on, at most ``event_cap`` of them. The window begins as a new session
with carried-over slots does (``action_session_start``, ``session_started``, the slots, the
form), and its
``session_started`` carries the marker ``handoff.history.WINDOW_KEY``: which rows were loaded.
Saving stores exactly the events after them (Rasa would count the session's stored rows and
slice the tracker's events by that count, which a window does not hold).

On a database server (PostgreSQL) the queries and the commit run in worker threads
(``core.db.run_sync``): the event loop answers other messages during the round trips. SQLite
answers in-process and is called directly.

Whatever needs the whole session reads it elsewhere: ``retrieve_full_tracker`` (Rasa's API,
all sessions) is Rasa's; a handoff ticket's transcript reads the messages before the window
from the table (handoff.history); retention and purge delete rows in SQL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

from core.db import get_engine, run_sync
from core.settings import tracker_event_cap
from handoff.history import WINDOW_KEY, window_of
from handoff.masking import requested_slot_before, scrub_events
from runtime.config_files import CLASS_PATH, pinging
from runtime.tracker_cache import TrackerCache, tracker_cache_size

logger = logging.getLogger(__name__)

__all__ = ["CLASS_PATH", "WINDOW_KEY", "PingingSQLTrackerStore", "pinging"]

T = TypeVar("T")

CONVERSATION_ROWS_INDEX = "ix_events_sender_id_id"

# Rows whose latest instance before the window makes the state the window starts from.
STATE_TYPES = ("slot", "active_loop", "loop_interrupted", "restart", "reset_slots")


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose engine pings a connection before handing it out, whose stored
    events are scrubbed, and which loads a long session as a window (module docstring)."""

    def __init__(
        self,
        *args: Any,
        event_cap: int | None = None,
        cache_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.in_process = url.get_backend_name() == "sqlite"
        if self.in_process:
            # the process's one pooled WAL engine for this file (core.db), shared with the
            # handoff policy's queries instead of a second pool
            self.engine = get_engine(str(url))
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.event_cap = tracker_event_cap() if event_cap is None else int(event_cap)
        # Trackers this server saved (runtime.tracker_cache), kept while they hold no more
        # events than half again the window: a long session is read anew as a window then.
        size = tracker_cache_size() if cache_size is None else int(cache_size)
        self.cache = TrackerCache(size)
        self._last_id_statement: Any = None
        self.cache_events = self.event_cap + self.event_cap // 2 if self.event_cap else 500
        self._index_conversation_rows()

    def _index_conversation_rows(self) -> None:
        """An index on (sender_id, id): the latest row of a conversation (checked before every
        kept tracker is handed out) and a window's latest rows are then found without
        visiting every row of the conversation (Rasa indexes sender_id alone)."""
        # Plain DDL: an sa.Index on Rasa's table would join its class-wide metadata, and the
        # next store's create_all would then try to create it a second time.
        statement = sa.text(
            f"CREATE INDEX IF NOT EXISTS {CONVERSATION_ROWS_INDEX} "
            f"ON {self.SQLEvent.__tablename__} (sender_id, id)"
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError as error:  # another server created it at the same moment
            logger.info("index %s not created here: %s", CONVERSATION_ROWS_INDEX, error)

    # ------------------------------------------------------------------------------ loading
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session, as a window when it has more than ``event_cap`` events; the
        tracker this server saved last if no row was written since (runtime.tracker_cache)."""
        saved = self.cache.get(sender_id)
        if saved is not None:
            if await self._database(self._last_id, sender_id) == saved.last_id:
                return saved.tracker
            self.cache.discard(sender_id)
        if not self.event_cap or not self.domain:
            return await super().retrieve(sender_id)
        events = await self._database(self.session_events, sender_id)
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def _database(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(session, *args)`` in a session of its own: in a worker thread on a database
        server, so that the event loop answers other messages during the round trips (the
        pool's ping, the query, the commit); directly on SQLite, which answers in-process
        and would only pay for the thread switch."""
        if self.in_process:
            return self._in_session(fn, *args)
        return await run_sync(self._in_session, fn, *args)

    def _in_session(self, fn: Callable[..., T], *args: Any) -> T:
        with self.session_scope() as session:
            return fn(session, *args)

    def session_events(self, session: Any, sender_id: str) -> list[dict[str, Any]]:
        """The event dicts of the latest session: all of them, or the window."""
        table = self.SQLEvent
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        count, first_id = (
            query.order_by(None).with_entities(sa.func.count(table.id), sa.func.min(table.id)).one()
        )
        if count <= self.event_cap:
            return [json.loads(row.data) for row in query.all()]
        latest = query.order_by(None).order_by(table.id.desc()).limit(self.event_cap).all()
        latest.reverse()
        start = _user_turn_start(latest)
        if start is None:  # one turn longer than the cap: nothing sensible to cut
            return [json.loads(row.data) for row in query.all()]
        tail = latest[start:]
        tail_events = [json.loads(row.data) for row in tail]
        state = self._state_before(session, query, tail[0].id)
        timestamp = tail_events[0].get("timestamp")
        marker = {
            "first_id": first_id,
            "window_id": tail[0].id,
            "last_id": tail[-1].id,
            "loaded": len(state) + 2 + len(tail_events),
        }
        head = [
            ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp).as_dict(),
            SessionStarted(timestamp=timestamp, metadata={WINDOW_KEY: marker}).as_dict(),
        ]
        return head + state + tail_events

    def _state_before(self, session: Any, query: Any, window_id: int) -> list[dict[str, Any]]:
        """Events that set the session's slots and form as they were before row
        ``window_id``: the latest row of each slot, form and interruption since the latest
        restart or reset, in their stored order."""
        table = self.SQLEvent
        latest = (
            query.order_by(None)
            .filter(table.id < window_id, table.type_name.in_(STATE_TYPES))
            .with_entities(table.type_name, table.action_name, sa.func.max(table.id))
            .group_by(table.type_name, table.action_name)
            .all()
        )
        restart = max((i for kind, _, i in latest if kind == "restart"), default=0)
        reset = max([restart] + [i for kind, _, i in latest if kind == "reset_slots"])
        slot_ids = [i for kind, _, i in latest if kind == "slot" and i > reset]
        loop_id = max((i for kind, _, i in latest if kind == "active_loop"), default=0)
        wanted = list(slot_ids)
        if loop_id > restart:
            wanted.append(loop_id)
            wanted += [i for kind, _, i in latest if kind == "loop_interrupted" and i > loop_id]
        if not wanted:
            return []
        rows = session.query(table.data).filter(table.id.in_(wanted)).order_by(table.id).all()
        return [json.loads(row.data) for row in rows]

    def _last_id(self, session: Any, sender_id: str) -> int:
        """The id of the conversation's latest row (0: none); one statement, built once."""
        if self._last_id_statement is None:
            table = self.SQLEvent.__table__
            self._last_id_statement = sa.select(sa.func.max(table.c.id)).where(
                table.c.sender_id == sa.bindparam("sender")
            )
        return session.execute(self._last_id_statement, {"sender": sender_id}).scalar() or 0

    # ------------------------------------------------------------------------------- saving
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``save`` (the events not stored yet, one row each), storing them scrubbed,
        then keeping the tracker for the conversation's next message (runtime.tracker_cache)
        when what is stored is what it holds."""
        await self.stream_events(tracker)
        last_id, scrubbed = await self._database(self._store, tracker)
        if scrubbed or not self._cacheable(tracker):
            self.cache.discard(tracker.sender_id)
        else:
            self.cache.put(tracker, last_id)

    def _store(self, session: Any, tracker: DialogueStateTracker) -> tuple[int, bool]:
        """Store the events not stored yet; returns the conversation's latest row id and
        whether scrubbing changed what was stored. (The conversation's lock keeps its tracker
        still meanwhile, also when this runs in a worker thread.)"""
        events, data, scrubbed = self._events_to_store(session, tracker)
        rows = [
            self._row(tracker.sender_id, event, item)
            for event, item in zip(events, data, strict=True)
        ]
        if rows:
            # one executemany, not the ORM's INSERT per row to learn each id (half the
            # save's time under load); the latest id is then one indexed query
            session.execute(self.SQLEvent.__table__.insert(), rows)
        kept = self.cache.kept(tracker)
        if kept is not None and not rows:
            last_id = kept.last_id
        else:
            last_id = self._last_id(session, tracker.sender_id)
        session.commit()
        return last_id, scrubbed

    @staticmethod
    def _row(sender_id: str, event: Event, data: dict[str, Any]) -> dict[str, Any]:
        """The column values of one stored event (Rasa's ``SQLEvent`` columns)."""
        intent = (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY)
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": intent,
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _cacheable(self, tracker: DialogueStateTracker) -> bool:
        """A tracker the next message may start from: within the size a window is read
        anew at, and of one session only (as ``retrieve`` reads it from the table)."""
        if len(tracker.events) > self.cache_events:
            return False
        sessions = 0
        for event in tracker.events:
            if event.type_name == "session_started":
                sessions += 1
        return sessions <= 1

    def _events_to_store(
        self, session: Any, tracker: DialogueStateTracker
    ) -> tuple[list[Event], list[dict[str, Any]], bool]:
        """The events not stored yet, their dicts as stored (scrubbed), and whether scrubbing
        changed any of them."""
        events = self._unstored_events(session, tracker)
        original = [event.as_dict() for event in events]
        earlier = len(tracker.events) - len(events)
        cleaned = scrub_events(original, requested_slot_before(tracker.events, earlier))
        return events, cleaned, cleaned != original

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        events, cleaned, _ = self._events_to_store(session, tracker)
        return iter(
            [Event.from_parameters(data) or e for data, e in zip(cleaned, events, strict=True)]
        )

    def _unstored_events(self, session: Any, tracker: Any) -> list[Event]:
        """The tracker's events not stored yet. The tracker this server saved last: those
        after its stored ones. A window: those after the events it was loaded with and after
        any stored since (by an earlier save of the same tracker)."""
        kept = self.cache.kept(tracker)
        if kept is not None:
            return list(tracker.events)[kept.length :]
        found = window_of(event.as_dict() for event in list(tracker.events)[:3])
        if found is None:
            return list(super()._additional_events(session, tracker))
        marker = found[1]
        table = self.SQLEvent
        stored_since = (
            session.query(sa.func.count(table.id))
            .filter(table.sender_id == tracker.sender_id, table.id > marker["last_id"])
            .scalar()
        )
        return list(tracker.events)[marker["loaded"] + stored_since :]

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """To an event broker (if one is set), the events ``save`` stores: Rasa's way compares
        with ``retrieve``, which a window would confuse."""
        if self.event_broker is None:
            return
        with self.session_scope() as session:
            events = list(self._additional_events(session, tracker))
        await self._stream_new_events(self.event_broker, events, tracker.sender_id)


def _user_turn_start(rows: Sequence[Any]) -> int | None:
    """Index of the first ``action_listen`` row followed by a user message."""
    for index in range(len(rows) - 1):
        row, following = rows[index], rows[index + 1]
        if row.type_name == "action" and row.action_name == ACTION_LISTEN_NAME:
            if following.type_name == "user":
                return index
    return None
