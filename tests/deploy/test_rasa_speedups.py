"""The cached action-response check behaves exactly like Rasa's own (same verdicts, same
error, same message), on valid and on broken action server responses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from runtime import rasa_speedups

RESPONSES = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "region", "value": "深圳"}],
        "responses": [{"text": "好"}],
    },
    {"events": [{"event": "followup", "name": "action_x"}], "responses": []},
    {},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "bot", "text": 5}]},
]


def _verdict(action: RemoteAction, response: dict) -> tuple[bool, str | None, str | None]:
    try:
        return action._validate_action_result(response), None, None
    except ValidationError as error:
        return False, error.message, "/".join(map(str, error.absolute_path))


@pytest.fixture
def restore() -> Iterator[None]:
    """Leave RemoteAction as this test found it."""
    before = RemoteAction._validate_action_result
    yield
    RemoteAction._validate_action_result = before


@pytest.mark.parametrize("response", RESPONSES)
def test_same_verdict_and_message_as_rasa(response: dict, restore: None) -> None:
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:9/webhook"))
    rasa_speedups.uninstall()
    expected = _verdict(action, response)
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result
    assert _verdict(action, response) == expected


def test_the_examples_include_both_verdicts(restore: None) -> None:
    rasa_speedups.uninstall()
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:9/webhook"))
    verdicts = [_verdict(action, response)[0] for response in RESPONSES]
    assert verdicts.count(True) >= 3 and verdicts.count(False) >= 4
