"""The case status form's validation and the verified lookup. Thin: the rules live in cases/."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ask, asks_something_else, latest_intent, latest_user_event
from cases import replies
from cases.service import BUSY, FOUND, LOCKED, CaseLookup
from cases.settings import get_case_settings
from core.db import run_sync
from core.patterns import CASE_NUMBER_PATTERN, extract_phone_last4, find_case_numbers
from core.settings import get_settings
from knowledge_base.texts import say
from knowledge_base.words import words

logger = logging.getLogger(__name__)

FORM = "case_status_form"
# Intents that leave the form rather than answer its question.
LEAVING_INTENTS = {"human_handoff", "goodbye"}
# Intents that belong to the lookup: a message with one of them is an answer.
OWN_INTENTS = {"case_status"}
_lookups: dict[tuple, CaseLookup] = {}


def _has_case_number_entity(tracker: Tracker) -> bool:
    return any(e.get("entity") == "case_number" for e in tracker.latest_message.get("entities", []))


def _client(tracker: Tracker) -> str | None:
    """The caller's address the channel put in the last message's metadata (REST, widget):
    the lockout counts it across conversations."""
    client = (latest_user_event(tracker).get("metadata") or {}).get("client")
    return str(client) if client else None


class ValidateCaseStatusForm(FormValidationAction):
    """Accepts the case number and the phone digits in one message or several, in any width,
    case or spacing; asks again, with the reason, when a reply does not contain them."""

    def name(self) -> str:
        return "validate_case_status_form"

    async def extract_case_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "case_number" or _has_case_number_entity(tracker):
            return {}  # the entity mapping has done its work, or nobody asked
        if latest_intent(tracker)[0] in LEAVING_INTENTS:
            return {}  # the form is rejected and the rest of the assistant answers
        found = find_case_numbers(tracker.latest_message.get("text") or "")
        if found:
            return {"case_number": found[0].value}
        if asks_something_else(tracker, OWN_INTENTS):
            return {}  # "不查了，备案要什么材料": answered by the rules, not by this form
        dispatcher.utter_message(text=say("cases.bad_case_number"))
        return {"case_number": None}

    async def extract_phone_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The reply to the digits question (validated below), or the digits given together
        with the case number before the form asked for them."""
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") == "phone_last4":
            if latest_intent(tracker)[0] in LEAVING_INTENTS:
                return {}
            if not extract_phone_last4(text) and asks_something_else(tracker, OWN_INTENTS):
                return {}
            return {"phone_last4": text}
        if tracker.get_slot("phone_last4"):
            return {}
        mentions_case = _has_case_number_entity(tracker) or bool(find_case_numbers(text))
        cues = words("cases.phone_cues")
        if not (mentions_case or any(cue in text for cue in cues)):
            return {}
        digits = extract_phone_last4(text)
        return {"phone_last4": digits} if digits else {}

    def validate_case_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = find_case_numbers(str(value or ""))
        if found and CASE_NUMBER_PATTERN.fullmatch(found[0].value):
            return {"case_number": found[0].value}
        if value:
            dispatcher.utter_message(text=say("cases.bad_case_number"))
        return {"case_number": None}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        digits = extract_phone_last4(str(value or ""))
        if digits:
            return {"phone_last4": digits}
        dispatcher.utter_message(text=say("cases.bad_phone_last4"))
        return {"phone_last4": None}


class ActionAskCaseNumber(Action):
    def name(self) -> str:
        return "action_ask_case_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        ask(dispatcher, tracker, "case_number", response="utter_ask_case_number")
        return []


class ActionAskPhoneLast4(Action):
    def name(self) -> str:
        return "action_ask_phone_last4"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        ask(dispatcher, tracker, "phone_last4", response="utter_ask_phone_last4")
        return []


async def _lookup_service() -> CaseLookup:
    """One CaseLookup per configuration, created off the event loop (it may open a backend)."""
    settings = get_case_settings()
    url = get_settings().database_url
    key = (settings, url)
    if key not in _lookups:
        _lookups[key] = await run_sync(CaseLookup, url, settings)
    return _lookups[key]


class ActionCaseStatusLookup(Action):
    """Answers with the case's status when the pair matches, the same neutral sentence when it
    does not, 系统繁忙 when the backend cannot answer in time, and offers a human when locked."""

    def name(self) -> str:
        return "action_case_status_lookup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # The digits are not kept in the conversation's slots beyond this turn.
        events = [SlotSet("case_number", None), SlotSet("phone_last4", None)]
        number, last4 = tracker.get_slot("case_number"), tracker.get_slot("phone_last4")
        if not number or not last4:
            dispatcher.utter_message(text=say("cases.bad_case_number"))
            return events
        channel = tracker.get_latest_input_channel() or "unknown"
        try:
            deadline = get_case_settings().deadline + 0.3
            service = await _lookup_service()
            result = await asyncio.wait_for(
                service.lookup(number, last4, tracker.sender_id, channel, _client(tracker)),
                timeout=deadline,
            )
            outcome = result.outcome
        except Exception:  # whatever fails, the user hears 系统繁忙, never silence
            logger.exception("case lookup failed")
            outcome, result = BUSY, None
        if outcome == FOUND:
            dispatcher.utter_message(text=replies.found(result.case))
        elif outcome == LOCKED or (result is not None and result.locked_now):
            dispatcher.utter_message(text=say("cases.locked"), buttons=[replies.human_button()])
        elif outcome == BUSY:
            dispatcher.utter_message(text=say("cases.busy"), buttons=[replies.human_button()])
        else:
            dispatcher.utter_message(text=say("cases.not_verified"))
        return events
