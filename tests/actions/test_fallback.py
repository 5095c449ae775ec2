"""Misunderstanding: rephrase first, then offer a human after two in a row."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionRephraseOrOfferHuman, consecutive_fallbacks
from tests.actions.helpers import tracker


def user(intent: str) -> dict:
    return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}


def bot() -> dict:
    return {"event": "bot", "text": "..."}


def test_counts_only_the_latest_run_of_fallbacks() -> None:
    events = [user("nlu_fallback"), bot(), user("greet"), bot(), user("nlu_fallback")]
    assert consecutive_fallbacks(tracker("x", events=events)) == 1
    events += [bot(), user("nlu_fallback")]
    assert consecutive_fallbacks(tracker("x", events=events)) == 2


async def _reply(events: list[dict], text: str = "啊啊啊") -> dict:
    dispatcher = CollectingDispatcher()
    await ActionRephraseOrOfferHuman().run(dispatcher, tracker(text, events=events), {})
    return dispatcher.messages[0]


async def test_first_rephrase_then_human() -> None:
    assert (await _reply([user("nlu_fallback")]))["response"] == "utter_rephrase"
    second = await _reply([user("nlu_fallback"), bot(), user("nlu_fallback")])
    assert second["response"] == "utter_offer_human"


async def test_empty_message() -> None:
    assert (await _reply([user("nlu_fallback")], text="  "))["response"] == "utter_empty_message"
