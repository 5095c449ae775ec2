"""The after-hours form's validation and the rating action, as the action server runs them."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import CANCELLED, ActionHandoffRate, ValidateHandoffMessageForm
from core.db import session_scope
from handoff.models import Ticket
from tests.handoff.conftest import mark_closed


def _tracker(text: str, requested: str | None, sender: str = "a1") -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={"requested_slot": requested},
        latest_message={"text": text, "intent": {"name": "nlu_fallback"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "handoff_message_form"},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    ("text", "requested", "expected", "said"),
    [
        ("转人工", None, None, False),  # the message that opened the form
        ("我的手机 13912345678", "handoff_contact", "13912345678", False),
        ("明天再说吧", "handoff_contact", None, True),
        ("算了", "handoff_contact", CANCELLED, False),
    ],
)
def test_contact_validation(text: str, requested: str | None, expected, said: bool) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateHandoffMessageForm().validate_handoff_contact(
        text, dispatcher, _tracker(text, requested), {}
    )
    assert result["handoff_contact"] == expected
    assert bool(dispatcher.messages) == said


def test_note_validation() -> None:
    form = ValidateHandoffMessageForm()
    ok = form.validate_handoff_note(
        "备案材料怎么准备", CollectingDispatcher(), _tracker("x", "handoff_note"), {}
    )
    assert ok == {"handoff_note": "备案材料怎么准备"}
    dispatcher = CollectingDispatcher()
    too_long = form.validate_handoff_note("长" * 501, dispatcher, _tracker("x", "handoff_note"), {})
    assert too_long == {"handoff_note": None} and dispatcher.messages


async def test_rating_is_stored_once(handoff_db: str, make_ticket) -> None:
    ticket_id = make_ticket("a2")
    mark_closed(handoff_db, ticket_id)
    dispatcher = CollectingDispatcher()
    await ActionHandoffRate().run(dispatcher, _tracker("４分", None, "a2"), {})
    assert "4 分" in dispatcher.messages[-1]["text"]
    again = CollectingDispatcher()
    await ActionHandoffRate().run(again, _tracker("1", None, "a2"), {})
    assert "感谢" not in again.messages[-1]["text"]
    with session_scope(handoff_db) as session:
        assert session.get(Ticket, ticket_id).rating == 4
