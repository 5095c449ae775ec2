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
"""

from __future__ import annotations

import logging
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
from dialogue.untrained_policy import UntrainedPolicy
from handoff.missed import CONTEXT_LINES, Observation, Turn, observe
from handoff.rating import parse_rating
from handoff.settings import get_handoff_settings
from handoff.tickets import conversation_state
from nlu.handoff_words import HandoffWords, find_request, load_handoff_words
from nlu.topics import HANDOFF_INTENT, understanding

logger = logging.getLogger(__name__)

RELAY_ACTION = "action_handoff_relay"
RATE_ACTION = "action_handoff_rate"
HANDOFF_ACTION = "action_human_handoff"
OWN_FORM = "handoff_message_form"


def next_handoff_action(
    sender_id: str,
    text: str | None,
    intent: str | None = None,
    active_loop: str | None = None,
    marked: bool = True,
) -> str | None:
    """The action for a new user message of ``sender_id``, or None to let the bot answer.

    Asking for a person in words ("转人工": ``marked``, the handoff words of the NLU's
    HandoffRequestMarker are in the text) inside another area's form leaves that form at once (a form would otherwise take it as
    the answer to its question). A message the classifier merely guessed to be a request
    ("工业机器人" as the answer to "which field?") goes to the form first; if the form
    cannot use it, the rules still hand over."""
    state = conversation_state(sender_id, get_handoff_settings().rating_window_minutes)
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
