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


async def _reply(events: list[dict], text: str = "啊啊啊", typed: str | None = None) -> dict:
    """The reply to the last of ``events``: ``typed`` as the channel delivered it, ``text`` as
    the NLU read it (normalised)."""
    events = [*events[:-1], {**events[-1], "text": text if typed is None else typed}]
    dispatcher = CollectingDispatcher()
    await ActionRephraseOrOfferHuman().run(dispatcher, tracker(text, events=events), {})
    return dispatcher.messages[0]


async def test_first_rephrase_then_human() -> None:
    assert (await _reply([user("nlu_fallback")]))["response"] == "utter_rephrase"
    second = await _reply([user("nlu_fallback"), bot(), user("nlu_fallback")])
    assert second["response"] == "utter_offer_human"


async def test_empty_message() -> None:
    assert (await _reply([user("nlu_fallback")], text="  "))["response"] == "utter_empty_message"


async def test_markup_only_is_asked_to_rephrase_not_told_it_is_empty() -> None:
    reply = await _reply([user("nlu_fallback")], text="", typed="<script>alert(1)</script>")
    assert reply["response"] == "utter_rephrase"


async def test_english_is_told_the_assistant_speaks_chinese() -> None:
    reply = await _reply([user("nlu_fallback")], text="hello, can you help me?")
    assert reply["response"] == "utter_chinese_only"


async def test_a_message_at_the_length_limit_is_told_so() -> None:
    reply = await _reply([user("nlu_fallback")], text="专利" * 1000)
    assert reply["response"] == "utter_message_too_long"
