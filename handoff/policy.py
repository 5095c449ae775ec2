"""A dialogue policy that pauses the bot while staff handle the conversation.

The database is the one source of truth: while the conversation has a waiting or active
ticket, every user message is given to ``action_handoff_relay`` (which adds it to the
transcript and says nothing), whatever the NLU made of it; as soon as staff close the ticket
in the console the bot answers again, with no event to send into Rasa. A bare rating right
after the close goes to ``action_handoff_rate``; "转人工" inside another area's form goes
straight to ``action_human_handoff``. Its predictions are "no user" predictions
with a priority above RulePolicy's, so they overrule rules, forms and fallbacks.

Add to bot/config.yml, under ``policies``::

    - name: handoff.policy.HandoffPolicy

The look at the database costs a query per user message, made on the Rasa server's event loop
(policies are synchronous). Most conversations never have a ticket, so the answer "this
conversation has no ticket at all" is kept for a while, per process (:func:`handoff_state`),
and used only while it cannot be stale. Why that is safe:

- A conversation gets its first ticket only through ``open_ticket``, which only the actions
  ``action_human_handoff`` and ``action_handoff_leave_message`` call, run by the action server
  for *this* conversation at the Rasa server's request. Staff cannot open a ticket (the
  console, the inbox and the ``ippc`` commands claim, reply, transfer, close, flag, label,
  purge: none creates a ticket or moves one to another conversation). Every other change of
  state (claimed, closed, rated, a left message closed into the rating window) happens to a
  conversation that has a ticket already, and such a conversation is never kept: it is asked
  about on every message, as before.
- The Rasa server logs ``ActionExecuted`` for an action after the action returned (also when
  the action failed), so the event of the action that opened the ticket has a later timestamp
  than the ticket, and the ticket a later one than the query that found none. So the kept
  answer holds as long as the tracker shows no opening action stamped after (or within
  ``CLOCK_MARGIN`` seconds before) that query...
- ...and the tracker holds every event since then: its first event is older than the query.
  A new session, or a long session's window (``runtime.tracker_store``) that starts after the
  query, may hide the action: the database is asked again.
- Several Rasa servers share the tracker store, so an action run through another server is in
  the tracker all the same; ``CLOCK_MARGIN`` absorbs their clocks' difference.
- ``NO_TICKET_SECONDS`` bounds what nothing above covers (a tracker that could not be saved
  after a ticket was opened, a ticket written into the database by hand).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

from channels.outbox import pending_count
from core.ttl_cache import TTLCache
from dialogue.untrained_policy import UntrainedPolicy
from handoff.missed import CONTEXT_LINES, Observation, Turn, observe
from handoff.rating import parse_rating
from handoff.settings import database_url, get_handoff_settings
from handoff.tickets import ticket_state
from nlu.handoff_words import HandoffWords, find_request, load_handoff_words
from nlu.topics import HANDOFF_INTENT, understanding

logger = logging.getLogger(__name__)

RELAY_ACTION = "action_handoff_relay"
RATE_ACTION = "action_handoff_rate"
HANDOFF_ACTION = "action_human_handoff"
OWN_FORM = "handoff_message_form"
LEAVE_MESSAGE_ACTION = "action_handoff_leave_message"
# The only actions that open a ticket (handoff.tickets.open_ticket).
OPENING_ACTIONS = frozenset({HANDOFF_ACTION, LEAVE_MESSAGE_ACTION})
NO_TICKET_SECONDS = 60.0
CLOCK_MARGIN = 2.0

# (database URL, conversation) -> wall-clock time of the query that found no ticket at all.
_no_ticket: TTLCache[tuple[str, str], float] = TTLCache(ttl=NO_TICKET_SECONDS, max_size=20_000)


def unchanged_since(events: Iterable[Any], asked_at: float) -> bool:
    """The tracker's ``events`` reach back before ``asked_at`` and show no action that may
    have opened a ticket since then (module docstring)."""
    since = asked_at - CLOCK_MARGIN
    first = True
    for event in events:
        if first:
            if event.timestamp > since:
                return False  # a new session or a window: the action may be out of sight
            first = False
        elif (
            event.type_name == "action"
            and event.action_name in OPENING_ACTIONS
            and event.timestamp >= since
        ):
            return False
    return not first


def handoff_state(sender_id: str, events: Iterable[Any] | None = None) -> str:
    """The conversation's ticket state (handoff.tickets.conversation_state). With the
    tracker's ``events``, a conversation known to have no ticket is not asked about again
    while the tracker shows that it cannot have one since (module docstring)."""
    key = (database_url(), sender_id)
    if events is not None:
        asked_at = _no_ticket.get(key)
        if asked_at is not None and unchanged_since(events, asked_at):
            return ""
        _no_ticket.discard(key)
    asked_at = time.time()
    state, has_ticket = ticket_state(sender_id, get_handoff_settings().rating_window_minutes)
    if events is not None and not has_ticket:
        _no_ticket.put(key, asked_at)
    return state


def next_handoff_action(
    sender_id: str,
    text: str | None,
    intent: str | None = None,
    active_loop: str | None = None,
    events: Iterable[Any] | None = None,
    marked: bool = True,
) -> str | None:
    """The action for a new user message of ``sender_id``, or None to let the bot answer;
    ``events``: the tracker's (Rasa events), which let :func:`handoff_state` skip the query.

    Asking for a person in words ("转人工": ``marked``, the handoff words of the NLU's
    HandoffRequestMarker are in the text) inside another area's form leaves that form at
    once (a form would otherwise take it as the answer to its question). A message the
    classifier merely guessed to be a request ("工业机器人" as the answer to "which field?")
    goes to the form first; if the form cannot use it, the rules still hand over."""
    state = handoff_state(sender_id, events)
    if state == "handed_over":
        return RELAY_ACTION
    if state == "rating" and parse_rating(text) is not None:
        return RATE_ACTION
    if state == "rating" and pending_count(sender_id) > 0:
        # Staff closed while a REST user was away: the relay hands over the closing message
        # and the rating question that wait in the outbox.
        return RELAY_ACTION
    if intent == HANDOFF_INTENT and marked and active_loop and active_loop != OWN_FORM:
        return HANDOFF_ACTION
    return None


def asks_for_a_person(text: str | None) -> bool:
    """The message asks for a person in words (the NLU's handoff words), not merely in the
    classifier's opinion."""
    return bool(text) and find_request(text, _handoff_words()) is not None


@lru_cache(maxsize=1)
def _handoff_words() -> HandoffWords:
    return load_handoff_words()


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True
)
class HandoffPolicy(UntrainedPolicy):
    """Routes a handed-over conversation's messages to staff instead of the bot. Nothing to
    learn: the decision comes from the ticket database."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # RulePolicy has priority 4 (Rasa 3.6); above it, and unique.
        return {"priority": 7}

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        _observe_new_message(tracker)
        return self._next_action(tracker)

    @staticmethod
    def _next_action(tracker: DialogueStateTracker) -> str | None:
        latest = tracker.latest_action_name
        if latest in (RELAY_ACTION, RATE_ACTION):
            return ACTION_LISTEN_NAME
        if latest != ACTION_LISTEN_NAME or tracker.latest_message is None:
            return None
        if tracker.latest_message.text is None:  # e.g. session start, no user message yet
            return None
        try:
            return next_handoff_action(
                tracker.sender_id,
                tracker.latest_message.text,
                tracker.latest_message.intent.get("name"),
                tracker.active_loop_name,
                tracker.events,
                marked=asks_for_a_person(tracker.latest_message.text),
            )
        except SQLAlchemyError as error:  # tables not migrated yet, database down
            logger.warning("handoff state unavailable, the bot answers: %s", error)
            return None


# Events Rasa adds between a user message and the first prediction about it.
_BEFORE_FIRST_PREDICTION = {"action_extract_slots", None}
# How far back the recorder looks for the previous user message and the context lines.
_LOOKBACK_EVENTS = 80


def _turn(event: UserUttered) -> Turn:
    intent, topic, confidence = understanding(event.parse_data)
    return Turn(
        event.text or "",
        datetime.fromtimestamp(event.timestamp, tz=timezone.utc),
        intent,
        topic,
        confidence,
    )


def observation_of(tracker: DialogueStateTracker) -> Observation | None:
    """The new user message of ``tracker`` with what came before it in the session, when
    this is the first prediction after it (else None: the message was already seen).
    Reads events by their ``type_name`` (an isinstance test on Rasa's event classes costs
    several times more) and stops as soon as it has what it needs."""
    latest: UserUttered | None = None
    previous: UserUttered | None = None
    context: list[tuple[str, str]] = []
    new_conversation = True
    for index, event in enumerate(reversed(tracker.events)):
        kind = event.type_name
        if index > _LOOKBACK_EVENTS:
            new_conversation = False
            break
        if kind == "session_started":
            break
        if latest is None:
            if kind == "action" and event.action_name not in _BEFORE_FIRST_PREDICTION:
                return None
            if kind == "user":
                latest = event
            continue
        if kind == "user":
            new_conversation = False
            previous = previous or event
            if len(context) < CONTEXT_LINES:
                context.append(("user", event.text or ""))
        elif kind == "bot" and event.text and len(context) < CONTEXT_LINES:
            context.append(("bot", event.text))
        if previous is not None and len(context) >= CONTEXT_LINES:
            break
    if latest is None or latest.text is None:
        return None
    return Observation(
        conversation_id=tracker.sender_id,
        channel=latest.input_channel or "rest",
        latest=_turn(latest),
        previous=_turn(previous) if previous is not None else None,
        new_conversation=new_conversation,
        context=tuple(reversed(context)),
    )


def _observe_new_message(tracker: DialogueStateTracker) -> None:
    """Hand a new user message to the inbox recorder; never in the way of the reply."""
    try:
        found = observation_of(tracker)
        if found is not None:
            observe(found)
    except Exception as error:  # noqa: BLE001 - recording must never stop the bot
        logger.warning("inbox: message not observed: %s", error)
