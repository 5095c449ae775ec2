"""Dispute routes: the guided form reads its answers from free text or buttons using the
keywords of knowledge_base/data/disputes.yml, then recommends routes with their reasons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ask, asks_something_else, knowledge_base, latest_intent, latest_text
from knowledge_base.dialogue import is_bare_answer, is_correction
from knowledge_base.disputes import (
    describe_recommendation,
    is_vague,
    match_option,
    option_mentions,
    question,
    routes_overview,
)
from knowledge_base.texts import say

DISPUTE_SLOTS = ("right_type", "place", "goal")


# Intents that belong to the dispute form: a message with one of them is an answer.
OWN_INTENTS = {"dispute_routes", "dispute_evidence", "dispute_overseas", "infringement_judgement"}


class ValidateDisputeForm(FormValidationAction):
    """Fills every question the message answers, so a detailed first message asks less; a
    later message that names an answer again changes it ("不是专利，是商标"), and a negated
    option never counts. A new dispute starts from scratch; a correction keeps the rest."""

    def name(self) -> str:
        return "validate_dispute_form"

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        text = latest_text(tracker)
        option = match_option(knowledge_base(), slot, text)
        requested = tracker.get_slot("requested_slot")
        if requested is None and not _keeps_earlier_answers(tracker):
            return {slot: option}  # a new dispute: earlier answers do not carry over
        if option is None:
            return {}
        if (
            requested != slot
            and not is_correction(text)
            and asks_something_else(tracker, OWN_INTENTS)
        ):
            answers_requested = requested and match_option(knowledge_base(), requested, text)
            if not answers_requested:
                return {}  # a new question that happens to name an option: answer it
        if requested != slot and tracker.get_slot(slot) and not _changes_an_answer(tracker):
            return {}  # "不清楚" said to another question does not undo an earlier answer
        return {slot: option}

    async def extract_right_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("right_type", tracker)

    async def extract_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("place", tracker)

    async def extract_goal(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("goal", tracker)


def _changes_an_answer(tracker: Tracker) -> bool:
    """A correction, a negation, or a bare answer ("展会") that is not just "I don't know"."""
    text = latest_text(tracker)
    if is_correction(text):
        return True
    if is_vague(match_option(knowledge_base(), "right_type", text)):
        return False
    return _bare_dispute_answer(tracker)


def _bare_dispute_answer(tracker: Tracker) -> bool:
    text = latest_text(tracker)
    kb = knowledge_base()
    mentions = [(s, e) for slot in DISPUTE_SLOTS for _, s, e in option_mentions(kb, slot, text)]
    return is_bare_answer(text, mentions)


def _keeps_earlier_answers(tracker: Tracker) -> bool:
    """The form (re)starts on a correction or a bare answer right after a dispute: the
    answers given before stay, the named one changes."""
    if is_correction(latest_text(tracker)):
        return True
    return _bare_dispute_answer(tracker) and latest_intent(tracker)[0] != "dispute_routes"


class ActionAskDisputeQuestion(Action):
    """Asks one question of the dispute form with its options as buttons; the first question
    of a new dispute comes after a one-line overview of all routes."""

    slot = "right_type"

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        if tracker.get_slot("requested_slot") is None:  # the form's first question
            dispatcher.utter_message(text=routes_overview(kb))
        text, buttons = question(kb, self.slot)
        ask(dispatcher, tracker, self.slot, text=text, buttons=buttons)
        return []


class ActionAskPlace(ActionAskDisputeQuestion):
    slot = "place"


class ActionAskGoal(ActionAskDisputeQuestion):
    slot = "goal"


class ActionRecommendDisputeRoutes(Action):
    """The routes for the answers; the answers stay, so that a correction right after
    ("不是专利，是商标") changes one of them and gives the routes again."""

    def name(self) -> str:
        return "action_recommend_dispute_routes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = [tracker.get_slot(slot) for slot in DISPUTE_SLOTS]
        dispatcher.utter_message(
            text=describe_recommendation(knowledge_base(), *answers),
            buttons=[
                {
                    "title": say("dialogue.button.evidence"),
                    "payload": say("dialogue.button.evidence_payload"),
                },
                {
                    "title": say("dialogue.button.dispute_human"),
                    "payload": say("dialogue.button.human_payload"),
                },
            ],
        )
        return []
