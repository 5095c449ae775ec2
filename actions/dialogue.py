"""Leaving a form: the action dialogue.policy.DialoguePolicy chooses when the user says
"算了", when a question was answered instead ("不查了，备案要什么材料"), or when the same
question would be asked a third time (the ask action has then said why already)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text
from dialogue.decide import FALLBACK_ACTION, STOP_ACTION
from knowledge_base.dialogue import is_bare_stop
from knowledge_base.texts import load_texts, say

# Slots a stopped form leaves behind that must not be reused.
FORM_SCRATCH = {
    "case_status_form": ("case_number", "phone_last4"),
    "handoff_message_form": ("handoff_contact", "handoff_note"),
    "fasttrack_eligibility_form": ("product",),
}


class ActionStopForm(Action):
    def name(self) -> str:
        return STOP_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = tracker.active_loop_name or ""
        before = tracker.latest_action_name
        if (
            is_bare_stop(latest_text(tracker)) and before == "action_listen"
        ) or before == FALLBACK_ACTION:
            # A bare "算了", or "算了, <something not understood>": say that the form stopped.
            key = f"dialogue.stopped.{form}"
            dispatcher.utter_message(
                text=say(key if key in load_texts() else "dialogue.stopped.other")
            )
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        events += [SlotSet(slot, None) for slot in FORM_SCRATCH.get(form, ())]
        return events
