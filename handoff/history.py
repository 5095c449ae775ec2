"""The part of a long conversation that the Rasa server does not load.

A conversation session with more stored events than ``IPPC_TRACKER_EVENT_CAP`` is loaded as a
window (runtime.tracker_store): its current slots and form, then its latest events from a user
turn on. Its ``session_started`` event then carries ``metadata[WINDOW_KEY]``: the id of the
session's first stored row and of the window's first row in Rasa's ``events`` table. What
needs the whole session (the transcript on a handoff ticket) reads the messages before the
window from that table here, so a window never shortens what staff see.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from core.db import get_engine
from core.settings import tracker_store_url

logger = logging.getLogger(__name__)

WINDOW_KEY = "ippc_window"

Event = Mapping[str, Any]


def window_of(events: Iterable[Event]) -> tuple[int, Mapping[str, Any]] | None:
    """(index, marker) of the window's ``session_started`` at the head of ``events``, if the
    tracker was loaded as a window."""
    for index, event in enumerate(events):
        if index > 2:  # the marker is the second event (after action_session_start)
            return None
        metadata = event.get("metadata") or {}
        if event.get("event") == "session_started" and WINDOW_KEY in metadata:
            return index, metadata[WINDOW_KEY]
    return None


def messages_before_window(
    conversation_id: str, marker: Mapping[str, Any], url: str | None = None
) -> list[dict[str, Any]]:
    """The stored user and bot events of the session before the window, oldest first."""
    query = sa.text(
        "SELECT data FROM events WHERE sender_id = :sender AND id >= :first AND id < :window "
        "AND type_name IN ('user', 'bot') ORDER BY id"
    )
    params = {
        "sender": conversation_id,
        "first": int(marker["first_id"]),
        "window": int(marker["window_id"]),
    }
    with get_engine(url or tracker_store_url()).connect() as connection:
        return [json.loads(row[0]) for row in connection.execute(query, params)]


def with_earlier_messages(
    conversation_id: str, events: Iterable[Event], url: str | None = None
) -> list[Event]:
    """``events`` with the session's messages before the window put back (right after the
    window's ``session_started``); ``events`` as they are for a tracker loaded whole, or when
    the table cannot be read (the window's messages are then all there is)."""
    events = list(events)
    found = window_of(events)
    if found is None:
        return events
    index, marker = found
    try:
        earlier = messages_before_window(conversation_id, marker, url)
    except Exception:  # a shorter transcript beats no ticket
        logger.warning("earlier messages of %s not read", conversation_id, exc_info=True)
        return events
    return events[: index + 1] + earlier + events[index + 1 :]
