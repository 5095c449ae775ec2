"""Helpers shared by the actions: the knowledge base and what the latest message said."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from dialogue.decide import MAX_UNANSWERED
from dialogue.turns import unanswered_in_a_row
from knowledge_base.base import KnowledgeBase, get_knowledge_base
from knowledge_base.dialogue import affirmed, stop_cue
from knowledge_base.texts import say


def knowledge_base() -> KnowledgeBase:
    """The knowledge base, loaded once per action-server process."""
    return get_knowledge_base()


def latest_text(tracker: Tracker) -> str:
    """The latest message as the NLU read it (normalised: no markup, simplified characters)."""
    return (tracker.latest_message.get("text") or "").strip()


def latest_user_event(tracker: Tracker) -> dict[str, Any]:
    """The latest ``user`` event of the tracker (its text as typed, its metadata), or {}."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event
    return {}


def typed_text(tracker: Tracker) -> str:
    """The latest message as the channel delivered it, before normalisation."""
    return latest_user_event(tracker).get("text") or ""


def latest_entities(tracker: Tracker, entity: str) -> list[str]:
    """Canonical values of ``entity`` in the latest user message, in order."""
    return [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == entity and e.get("value")
    ]


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def first_value(value: Any) -> str | None:
    """Slot values from several entities arrive as a list; the forms use one."""
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


# A classifier this sure of another intent means the message is a new question, not an
# answer to the form's (unless it contains the answer).
OTHER_QUESTION_CONFIDENCE = 0.5
NOT_A_QUESTION = {"nlu_fallback", "greet", "thanks", "goodbye", "out_of_scope"}


def asks_something_else(tracker: Tracker, own_intents: set[str]) -> bool:
    """The latest message is a new question (or "算了, ..."), not an answer to the form."""
    if stop_cue(latest_text(tracker)):
        return True
    intent, confidence = latest_intent(tracker)
    base = intent.split("/", 1)[0]
    return (
        base not in own_intents
        and base not in NOT_A_QUESTION
        and confidence >= OTHER_QUESTION_CONFIDENCE
    )


def entity_mentions(tracker: Tracker, entity: str) -> list[tuple[str, int, int]]:
    """(value, start, end) of ``entity`` in the latest message."""
    found = []
    for e in tracker.latest_message.get("entities") or []:
        if e.get("entity") == entity and e.get("value"):
            start, end = e.get("start"), e.get("end")
            found.append(
                (
                    str(e["value"]),
                    start if isinstance(start, int) else 0,
                    end if isinstance(end, int) else 0,
                )
            )
    return found


def affirmed_entities(tracker: Tracker, entity: str) -> list[str]:
    """Values of ``entity`` in the latest message that it does not negate ("不是A，是B" → B)."""
    return affirmed(latest_text(tracker), entity_mentions(tracker, entity))


def ask_number(tracker: Tracker, slot: str) -> int:
    """1 for the first time ``slot`` is asked, 2 for the second time in a row, ..."""
    form = tracker.active_loop_name or ""
    return unanswered_in_a_row(tracker.events, form, slot) + 1


def way_out_buttons() -> list[dict[str, str]]:
    return [
        {"title": say("dialogue.button.stop"), "payload": say("dialogue.button.stop_payload")},
        {"title": say("dialogue.button.human"), "payload": say("dialogue.button.human_payload")},
    ]


def ask(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    text: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    response: str | None = None,
) -> None:
    """Asks for ``slot``: the first time as given; the second time in a row with its options
    and a way out as buttons; the third time it gives up (DialoguePolicy then stops the form)."""
    number = ask_number(tracker, slot)
    if number > MAX_UNANSWERED:
        dispatcher.utter_message(text=say("dialogue.gave_up"), buttons=way_out_buttons())
        return
    if response:
        dispatcher.utter_message(response=response)
    else:
        dispatcher.utter_message(text=text, buttons=buttons or [])
    if number == MAX_UNANSWERED:
        dispatcher.utter_message(text=say("dialogue.ask_again"), buttons=way_out_buttons())
