"""Fast-track eligibility: the form's validation (asks only for what is missing) and the
answer, composed from the centers table by knowledge_base.eligibility."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import first_value, knowledge_base, latest_entities, latest_intent, latest_text
from knowledge_base.eligibility import (
    ANY_PATENT_TYPE,
    answer_eligibility,
    center_scope,
    centers_with_field_text,
    short_verdict,
)

UNSURE_WORDS = ("不确定", "不知道", "不清楚", "还没想好", "都可以", "都有", "不限", "没想好")
# Free text is taken as a field name only when the message is not clearly another question.
FREE_TEXT_MAX_CONFIDENCE = 0.7
FREE_TEXT_MAX_CHARS = 30


def _asks_about_a_center(tracker: Tracker) -> bool:
    """ "上海中心的预审领域有哪些": a center named, with no region or field to match."""
    return bool(latest_entities(tracker, "center")) and not (
        latest_entities(tracker, "region") or latest_entities(tracker, "tech_field")
    )


def _most_specific_region(values: list[str]) -> str | None:
    kb = knowledge_base()
    regions = [r for r in (kb.region(v) for v in values) if r]
    cities = [r for r in regions if r.is_city]
    chosen = (cities or regions or [None])[0]
    return chosen.name if chosen else None


class ValidateFasttrackEligibilityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_fasttrack_eligibility_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if _asks_about_a_center(tracker) and tracker.get_slot("requested_slot") is None:
            return []
        return domain_slots

    async def extract_tech_field(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An answer to "what field?" that names no known field is kept as typed."""
        if tracker.get_slot("requested_slot") != "tech_field":
            return {}
        if latest_entities(tracker, "tech_field"):
            return {}
        intent, confidence = latest_intent(tracker)
        text = latest_text(tracker)
        if not text or (
            intent != "fasttrack_eligibility" and confidence > FREE_TEXT_MAX_CONFIDENCE
        ):
            return {}
        return {"tech_field": text[:FREE_TEXT_MAX_CHARS]}

    async def extract_patent_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "patent_type":
            return {}
        if any(word in latest_text(tracker) for word in UNSURE_WORDS):
            return {"patent_type": ANY_PATENT_TYPE}
        return {}

    def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        region = _most_specific_region(value if isinstance(value, list) else [value])
        if region is None:
            dispatcher.utter_message(
                text="没能识别这个地区，请告诉我省或市的名称，比如“广东深圳”。"
            )
        return {"region": region}

    def validate_tech_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tech_field": first_value(value)}

    def validate_patent_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        value = first_value(value)
        known = value in knowledge_base().patent_types or value == ANY_PATENT_TYPE
        return {"patent_type": value if known else None}


class ActionAskRegion(Action):
    """Asks where the applicant is; first says which centers cover a field already named."""

    def name(self) -> str:
        return "action_ask_region"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        field = first_value(tracker.get_slot("tech_field"))
        if field and kb.centers_with_field(field):
            dispatcher.utter_message(
                text=centers_with_field_text(kb, field) + "\n" + kb.centers_table_source_line
            )
        else:
            dispatcher.utter_message(text=kb.render_answer("eligibility_conditions"))
        dispatcher.utter_message(text="请问您（或贵单位）在哪个省市？我帮您看看能找哪个中心预审。")
        return []


class ActionAskPatentType(Action):
    """Names the matching center(s) at once, then asks the patent type for the timing."""

    def name(self) -> str:
        return "action_ask_patent_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        verdict = short_verdict(
            kb,
            kb.region(first_value(tracker.get_slot("region"))),
            first_value(tracker.get_slot("tech_field")),
        )
        if verdict:
            dispatcher.utter_message(text=verdict)
        dispatcher.utter_message(response="utter_patent_type_question")
        return []


class ActionAnswerEligibility(Action):
    def name(self) -> str:
        return "action_answer_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        if _asks_about_a_center(tracker):
            center = kb.center(latest_entities(tracker, "center")[0])
            if center:
                dispatcher.utter_message(text=center_scope(kb, center))
                return []
        region = kb.region(first_value(tracker.get_slot("region")))
        dispatcher.utter_message(
            text=answer_eligibility(
                kb,
                region,
                first_value(tracker.get_slot("tech_field")),
                first_value(tracker.get_slot("patent_type")),
            )
        )
        return []
