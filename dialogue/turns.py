"""The conversation so far, read from tracker events as dicts (the action server's
``tracker.events`` and ``Event.as_dict()`` in the Rasa server): which question is waiting,
how often it was asked without an answer, and which form ran last."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

REQUESTED_SLOT = "requested_slot"
Event = Mapping[str, Any]


def current_session(events: Iterable[Event]) -> list[Event]:
    events = list(events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") in ("session_started", "restart"):
            return events[index + 1 :]
    return events


@dataclass(frozen=True)
class UserTurn:
    """A user message with the form and question that were waiting when it came, and
    whether anything the forms collect was filled in reply to it."""

    text: str
    loop: str | None
    requested: str | None
    progressed: bool


def user_turns(events: Iterable[Event]) -> list[UserTurn]:
    turns: list[UserTurn] = []
    loop: str | None = None
    requested: str | None = None
    pending: dict[str, Any] | None = None

    def close() -> None:
        if pending is not None:
            turns.append(UserTurn(**pending))

    for event in current_session(events):
        kind = event.get("event")
        if kind == "user":
            close()
            pending = {
                "text": event.get("text") or "",
                "loop": loop,
                "requested": requested,
                "progressed": False,
            }
        elif kind == "active_loop":
            loop = event.get("name")
            if loop is None:
                requested = None
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == REQUESTED_SLOT:
                requested = value
            elif pending is not None and value not in (None, "", []):
                pending["progressed"] = True
    close()
    return turns


def unanswered_in_a_row(events: Iterable[Event], form: str, slot: str) -> int:
    """How many of the latest user messages came while ``form`` waited for ``slot`` and
    filled nothing: the question has been asked that many times + 1 when asked again."""
    count = 0
    for turn in reversed(user_turns(events)):
        if turn.loop != form or turn.requested != slot or turn.progressed:
            break
        count += 1
    return count


def last_form(events: Iterable[Event]) -> str | None:
    """The form that was active most recently in this session (active now or finished)."""
    name = None
    for event in current_session(events):
        if event.get("event") == "active_loop" and event.get("name"):
            name = event.get("name")
    return name


def user_turns_since_form(events: Iterable[Event], form: str) -> int | None:
    """User messages since ``form`` was last active (None: it never ran in this session)."""
    loop: str | None = None
    count: int | None = None
    for event in current_session(events):
        kind = event.get("event")
        if kind == "active_loop":
            if event.get("name") == form or (event.get("name") is None and loop == form):
                count = 0
            loop = event.get("name")
        elif kind == "user" and count is not None:
            count += 1
    return count
