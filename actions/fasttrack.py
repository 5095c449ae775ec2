"""Fast-track eligibility: the form's validation (asks only for what is missing) and the
answer, composed from the centers table by knowledge_base.eligibility."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    affirmed_entities,
    ask,
    ask_number,
    asks_something_else,
    entity_mentions,
    first_value,
    knowledge_base,
    latest_entities,
    latest_intent,
    latest_text,
)
from dialogue.decide import MAX_UNANSWERED
from knowledge_base.dialogue import is_bare_answer, is_correction, is_question
from knowledge_base.eligibility import (
    answer_eligibility,
    any_patent_type,
    ask_field,
    center_scope,
    centers_with_field_text,
    short_verdict,
    unsure_of_patent_type,
)
from knowledge_base.texts import say

# Free text is taken as a field name only when the message is not clearly another question:
# not ending as a question, and classified as an eligibility answer, as nothing we know
# ("做扫地机的" often scores as out_of_scope) or with little confidence.
FREE_TEXT_INTENTS = {"fasttrack_eligibility", "out_of_scope", "nlu_fallback"}
FREE_TEXT_MAX_CONFIDENCE = 0.7
FREE_TEXT_MAX_CHARS = 30
REGION_BUTTONS = 6  # the second time the region is asked: some centers' cities


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


# Intents that belong to the eligibility form: a message with one of them is an answer.
OWN_INTENTS = {"fasttrack_eligibility", "fasttrack_overview"}
ELIGIBILITY_ENTITIES = ("region", "tech_field", "patent_type")


def _may_take(tracker: Tracker, slot: str) -> bool:
    """Whether a value the message names goes into ``slot``: always for the question asked
    and for the opening message; for another question only when the message is not a new
    question ("你是机器人吗" names a product but asks who we are), and an earlier answer
    changes only for a correction, a bare answer or an eligibility question."""
    requested = tracker.get_slot("requested_slot")
    if requested in (None, slot):
        return True
    text = latest_text(tracker)
    correcting = is_correction(text)
    if not correcting and asks_something_else(tracker, OWN_INTENTS):
        return False
    if tracker.get_slot(slot) is None or correcting:
        return True
    mentions = [m[1:] for name in ELIGIBILITY_ENTITIES for m in entity_mentions(tracker, name)]
    return is_bare_answer(text, mentions) or latest_intent(tracker)[0] in OWN_INTENTS


class ValidateFasttrackEligibilityForm(FormValidationAction):
    """Takes every region, field and patent type the message names, whatever intent the
    classifier chose, so that "广州", "做新材料", "发明" and "说错了，我们在上海" all work; a
    negated value ("不是深圳，是广州") does not count."""

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

    async def extract_region(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _may_take(tracker, "region"):
            return {}
        region = _most_specific_region(affirmed_entities(tracker, "region"))
        return {"region": region} if region else {}

    async def extract_tech_field(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A named field wins; an answer to "what field?" that names none is kept as typed,
        unless it is a new question or "算了"."""
        fields = affirmed_entities(tracker, "tech_field")
        if fields:
            return {"tech_field": fields[0]} if _may_take(tracker, "tech_field") else {}
        if tracker.get_slot("requested_slot") != "tech_field" or latest_entities(
            tracker, "tech_field"
        ):
            return {}
        text = latest_text(tracker)
        if text == say("knowledge.eligibility.field_other"):
            return {"tech_field": text}  # the "none of these" button
        if not text or asks_something_else(tracker, OWN_INTENTS):
            return {}
        if latest_entities(tracker, "region") or latest_entities(tracker, "patent_type"):
            return {}  # an answer to another question ("我们在广州")
        intent, confidence = latest_intent(tracker)
        if is_question(text) or (
            intent not in FREE_TEXT_INTENTS and confidence > FREE_TEXT_MAX_CONFIDENCE
        ):
            return {}
        return {"tech_field": text[:FREE_TEXT_MAX_CHARS]}

    async def extract_patent_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        types = affirmed_entities(tracker, "patent_type")
        if types:
            return {"patent_type": types[0]} if _may_take(tracker, "patent_type") else {}
        if tracker.get_slot("requested_slot") != "patent_type":
            return {}
        if unsure_of_patent_type(latest_text(tracker)):
            return {"patent_type": any_patent_type()}
        return {}

    def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        named = affirmed_entities(tracker, "region")
        values = named or (value if isinstance(value, list) else [value])
        region = _most_specific_region([v for v in values if v])
        if region is None and not (named or entity_mentions(tracker, "region")):
            dispatcher.utter_message(text=say("dialogue.eligibility.unknown_region"))
        return {"region": region}

    def validate_tech_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A named or findable field is taken. A product the knowledge base does not know
        ("扫地机") is kept in ``product`` and the field is asked again with the fields of the
        centers serving the region as buttons; "都不是", or a second unknown answer, keeps
        what the user said (the answer then lists the region's centers)."""
        named = affirmed_entities(tracker, "tech_field")
        if named:
            return {"tech_field": named[0], "product": None}
        text = first_value(value)
        found = knowledge_base().find_field(text)
        if found or not text:
            return {"tech_field": found, "product": None}
        product = first_value(tracker.get_slot("product"))
        if product is None:
            return {"tech_field": None, "product": text}
        kept = product if text == say("knowledge.eligibility.field_other") else text
        return {"tech_field": kept, "product": None}

    def validate_patent_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        named = affirmed_entities(tracker, "patent_type")
        value = named[0] if named else first_value(value)
        known = value in knowledge_base().patent_types or value == any_patent_type()
        return {"patent_type": value if known else None}


class ActionAskRegion(Action):
    """Asks where the applicant is; first says which centers cover a field already named."""

    def name(self) -> str:
        return "action_ask_region"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        if ask_number(tracker, "region") == 1:
            field = first_value(tracker.get_slot("tech_field"))
            if field and kb.centers_with_field(field):
                dispatcher.utter_message(
                    text=centers_with_field_text(kb, field) + "\n" + kb.centers_table_source_line
                )
            else:
                dispatcher.utter_message(text=kb.render_answer("eligibility_conditions"))
        cities = list(dict.fromkeys(c.city for c in kb.centers() if getattr(c, "city", None)))
        buttons = [{"title": city, "payload": city} for city in cities[:REGION_BUTTONS]]
        ask(
            dispatcher,
            tracker,
            "region",
            text=say("dialogue.eligibility.ask_region"),
            buttons=buttons if ask_number(tracker, "region") > 1 else None,
        )
        return []


class ActionAskTechField(Action):
    """Asks the field; after a product it does not know, with the region's fields as buttons."""

    def name(self) -> str:
        return "action_ask_tech_field"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        product = first_value(tracker.get_slot("product"))
        if product is None:
            ask(dispatcher, tracker, "tech_field", response="utter_ask_tech_field")
            return []
        kb = knowledge_base()
        region = kb.region(first_value(tracker.get_slot("region")))
        text, buttons = ask_field(kb, region)
        dispatcher.utter_message(
            text=say("dialogue.eligibility.unknown_product", product=product) + text,
            buttons=buttons,
        )
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
        if verdict and ask_number(tracker, "patent_type") <= MAX_UNANSWERED:
            dispatcher.utter_message(text=verdict)
        ask(dispatcher, tracker, "patent_type", response="utter_patent_type_question")
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
