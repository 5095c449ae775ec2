"""The after-hours leave-a-message form (handoff_message_form) with the dialogue rules: a
new question is answered, "算了" stops it, the contact question is not asked a third time.
The live assistant runs 24x7, so this form is checked here on tracker data."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.common import ask
from actions.dialogue import ActionStopForm
from actions.handoff import ValidateHandoffMessageForm
from dialogue.decide import LISTEN, STOP_ACTION, Turn, next_action
from tests.actions.helpers import tracker

FORM = "handoff_message_form"
ASKED = {"requested_slot": "handoff_contact"}


def _events(*replies: str) -> list[dict]:
    events: list[dict] = [
        {"event": "user", "text": "转人工"},
        {"event": "action", "name": "action_human_handoff"},
        {"event": "action", "name": FORM},
        {"event": "active_loop", "name": FORM},
        {"event": "slot", "name": "requested_slot", "value": "handoff_contact"},
    ]
    for text in replies:
        events += [
            {"event": "user", "text": text},
            {"event": "action", "name": FORM},
            {"event": "slot", "name": "handoff_contact", "value": None},
            {"event": "slot", "name": "requested_slot", "value": "handoff_contact"},
        ]
    return events


async def test_a_question_is_not_taken_as_the_contact() -> None:
    form = ValidateHandoffMessageForm()
    question = tracker("你们几点上班", intent="center_contact", confidence=0.95, slots=ASKED)
    assert await form.extract_handoff_contact(CollectingDispatcher(), question, {}) == {}
    phone = tracker("13800000000", intent="nlu_fallback", confidence=0.3, slots=ASKED)
    assert await form.extract_handoff_contact(CollectingDispatcher(), phone, {}) == {
        "handoff_contact": "13800000000"
    }
    both = tracker("电话13800000000，几点回电", intent="center_contact", slots=ASKED)
    assert await form.extract_handoff_contact(CollectingDispatcher(), both, {}) != {}


def test_a_bare_stop_leaves_the_message_form() -> None:
    events = [*_events(), {"event": "user", "text": "算了"}]
    turn = Turn(LISTEN, FORM, "handoff_contact", "算了", "out_of_scope", events=events)
    assert next_action(turn) == STOP_ACTION


async def test_stopping_says_the_message_is_cancelled_and_clears_it() -> None:
    dispatcher = CollectingDispatcher()
    stop = tracker("不留了", intent="nlu_fallback", slots=ASKED, active_loop=FORM)
    events = await ActionStopForm().run(dispatcher, stop, {})
    assert "已取消留言" in dispatcher.messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "handoff_contact", "value": None} in events
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


def test_the_contact_question_is_not_asked_a_third_time() -> None:
    dispatcher = CollectingDispatcher()
    second = tracker("嗯", slots=ASKED, events=_events("嗯"), active_loop=FORM)
    ask(dispatcher, second, "handoff_contact", text="联系方式？")
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["算了", "/human_handoff"]
    dispatcher = CollectingDispatcher()
    third = tracker("啊", slots=ASKED, events=_events("嗯", "啊"), active_loop=FORM)
    ask(dispatcher, third, "handoff_contact", text="联系方式？")
    assert "卡住了" in dispatcher.messages[0]["text"]
    turn = Turn(FORM, FORM, "handoff_contact", "啊", "nlu_fallback", events=_events("嗯", "啊"))
    assert next_action(turn) == STOP_ACTION
