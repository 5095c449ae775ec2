"""Misunderstanding: the first time ask to rephrase, the second time in a row offer a human.
A message in another language or cut at the length limit is told why instead."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text, typed_text
from dialogue.decide import FALLBACK_ACTION
from knowledge_base.dialogue import stop_cue
from nlu.readable import is_foreign, too_long
from nlu.topics import FALLBACK_INTENT

OFFER_HUMAN_AFTER = 2


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionRephraseOrOfferHuman(Action):
    def name(self) -> str:
        return FALLBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        typed = typed_text(tracker)
        if not typed.strip():
            dispatcher.utter_message(response="utter_empty_message")
        elif too_long(typed):
            dispatcher.utter_message(response="utter_message_too_long")
        elif is_foreign(latest_text(tracker)):
            dispatcher.utter_message(response="utter_chinese_only")
        elif tracker.active_loop_name and not stop_cue(latest_text(tracker)):
            pass  # inside a form: the form asks its question again, with options the 2nd time
        elif consecutive_fallbacks(tracker) >= OFFER_HUMAN_AFTER:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_rephrase")
        return []
