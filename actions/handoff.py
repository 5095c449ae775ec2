"""Handoff actions (thin: the logic is in handoff/). action_handoff_relay and
action_handoff_rate are chosen by handoff.policy.HandoffPolicy, not by rules. Every database
call (tickets, outbox, the earlier messages of a long session) runs in a worker thread
(``core.db.run_sync``): the action server's event loop serves other conversations meanwhile."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ask, asks_something_else
from channels.push import pending_messages
from core.db import run_sync
from handoff.dialogue import (
    MAX_NOTE_CHARS,
    cancel_payload,
    is_cancel,
    latest_user_line,
    leave_message,
    start_handoff,
    valid_contact,
)
from handoff.rating import parse_rating
from handoff.settings import get_handoff_settings
from handoff.tickets import add_line, rate_last_ticket
from knowledge_base.texts import say

logger = logging.getLogger(__name__)

FORM = "handoff_message_form"
CANCELLED = "__cancelled__"


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ActionHumanHandoff(Action):
    """Open a ticket and tell the user their place in the queue; after hours, offer the form."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = []
        if tracker.active_loop_name and tracker.active_loop_name != FORM:
            # Asked for a person in the middle of another form: leave that form first.
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        outcome = await run_sync(
            start_handoff, tracker.sender_id, _channel(tracker), tracker.events, _intent(tracker)
        )
        for text in outcome.messages:
            dispatcher.utter_message(text=text)
        if outcome.offline:
            events += [
                SlotSet("handoff_reason", outcome.reason),
                SlotSet("handoff_contact", None),
                SlotSet("handoff_note", None),
                FollowupAction(FORM),
            ]
        return events


def _relay(conversation_id: str, events: list[dict[str, Any]]) -> tuple[bool, list[dict]]:
    """(the user's message was added to the open ticket, staff messages waiting for them)."""
    line = latest_user_line(events)
    recorded = line is not None and add_line(conversation_id, line) is not None
    return recorded, pending_messages(conversation_id)


def _rate(conversation_id: str, rating: int | None) -> tuple[list[dict], bool]:
    """(staff messages waiting for the user, the rating was stored)."""
    pending = pending_messages(conversation_id)  # the closing words, if not seen yet
    window = get_handoff_settings().rating_window_minutes
    rated = rating is not None and rate_last_ticket(conversation_id, rating, window) is not None
    return pending, rated


class ActionHandoffRelay(Action):
    """While staff have the conversation: add the user's message to the ticket and say
    nothing of the bot's own; staff messages queued for this user are handed over."""

    def name(self) -> str:
        return "action_handoff_relay"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        recorded, pending = await run_sync(_relay, tracker.sender_id, tracker.events)
        for message in pending:
            dispatcher.utter_message(text=message.get("text"), buttons=message.get("buttons") or [])
        if not recorded and not pending:
            # Closed between the policy's look and now: the bot is back.
            dispatcher.utter_message(text=say("handoff.ended_bot_back"))
        return []


class ActionHandoffRate(Action):
    """Store the 1–5 rating the user gave after staff closed the ticket."""

    def name(self) -> str:
        return "action_handoff_rate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        rating = parse_rating(tracker.latest_message.get("text"))
        pending, rated = await run_sync(_rate, tracker.sender_id, rating)
        for message in pending:
            dispatcher.utter_message(text=message.get("text"), buttons=message.get("buttons") or [])
        if rated:
            dispatcher.utter_message(text=say("handoff.rated", score=rating))
        else:
            dispatcher.utter_message(text=say("handoff.anything_else"))
        return []


class ActionAskHandoffContact(Action):
    def name(self) -> str:
        return "action_ask_handoff_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Asked at most twice in a row (actions.common.ask), then the form gives up.
        ask(
            dispatcher,
            tracker,
            "handoff_contact",
            text=say("handoff.ask_contact", cancel=cancel_payload()),
            buttons=[{"title": say("handoff.no_message_button"), "payload": cancel_payload()}],
        )
        return []


class ActionAskHandoffNote(Action):
    def name(self) -> str:
        return "action_ask_handoff_note"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("handoff.ask_note", max_chars=MAX_NOTE_CHARS))
        return []


class ValidateHandoffMessageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_message_form"

    @staticmethod
    def _cancel() -> dict[str, Any]:
        return {"handoff_contact": CANCELLED, "handoff_note": CANCELLED}

    async def extract_handoff_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The reply to the contact question; a new question without a contact in it is left
        to the rules (answered, then the form asks again)."""
        if tracker.get_slot("requested_slot") != "handoff_contact":
            return {}
        text = tracker.latest_message.get("text") or ""
        if not is_cancel(text) and not valid_contact(text) and asks_something_else(tracker, set()):
            return {}
        return {"handoff_contact": text}

    def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "handoff_contact":
            return {"handoff_contact": None}  # the request that opened the form is no answer
        text = str(value or "")
        if is_cancel(text):
            return self._cancel()
        contact = valid_contact(text)
        if contact is None:
            dispatcher.utter_message(text=say("handoff.bad_contact"))
            return {"handoff_contact": None}
        return {"handoff_contact": contact}

    def validate_handoff_note(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "handoff_note":
            return {"handoff_note": None}
        text = str(value or "").strip()
        if is_cancel(text):
            return self._cancel()
        if not text:
            return {"handoff_note": None}
        if len(text) > MAX_NOTE_CHARS:
            dispatcher.utter_message(text=say("handoff.note_too_long", max_chars=MAX_NOTE_CHARS))
            return {"handoff_note": None}
        return {"handoff_note": text}


class ActionHandoffLeaveMessage(Action):
    """The form is complete: make the left-message ticket (or confirm the cancellation)."""

    def name(self) -> str:
        return "action_handoff_leave_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        contact = tracker.get_slot("handoff_contact")
        reset = [SlotSet("handoff_contact", None), SlotSet("handoff_note", None)]
        if not contact or contact == CANCELLED or tracker.get_slot("handoff_note") == CANCELLED:
            dispatcher.utter_message(text=say("handoff.message_cancelled"))
            return reset
        text = await run_sync(
            leave_message,
            tracker.sender_id,
            _channel(tracker),
            tracker.events,
            contact,
            tracker.get_slot("handoff_reason"),
        )
        dispatcher.utter_message(text=text)
        return reset
