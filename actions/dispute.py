"""Dispute routes: the guided form reads its answers from free text or buttons using the
keywords of knowledge_base/data/disputes.yml, then recommends routes with their reasons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import knowledge_base, latest_text
from knowledge_base.disputes import (
    describe_recommendation,
    match_option,
    question,
    routes_overview,
)

DISPUTE_SLOTS = ("right_type", "place", "goal")


class ValidateDisputeForm(FormValidationAction):
    """Fills every question the message answers, so a detailed first message asks less."""

    def name(self) -> str:
        return "validate_dispute_form"

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        if tracker.get_slot(slot) and tracker.get_slot("requested_slot") != slot:
            return {}
        option = match_option(knowledge_base(), slot, latest_text(tracker))
        return {slot: option} if option else {}

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
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionAskPlace(ActionAskDisputeQuestion):
    slot = "place"


class ActionAskGoal(ActionAskDisputeQuestion):
    slot = "goal"


class ActionRecommendDisputeRoutes(Action):
    def name(self) -> str:
        return "action_recommend_dispute_routes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = [tracker.get_slot(slot) for slot in DISPUTE_SLOTS]
        dispatcher.utter_message(
            text=describe_recommendation(knowledge_base(), *answers),
            buttons=[
                {"title": "怎么固定证据", "payload": "侵权证据怎么固定"},
                {"title": "转人工咨询", "payload": "/human_handoff"},
            ],
        )
        # A new dispute question starts from scratch.
        return [SlotSet(slot, None) for slot in DISPUTE_SLOTS]
