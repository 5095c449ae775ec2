"""The cached action-response check behaves exactly like Rasa's own (same verdicts, same
error, same message), on valid and on broken action server responses."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
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


# --- the graph runner without dask ------------------------------------------------------------

MESSAGES = [
    "你好",
    "我们想做专利预审",
    "深圳",
    "新能源",
    "转人工，问一下海外维权",
    "今天天气怎么样",
]


@pytest.fixture(scope="module")
def agent() -> Any:
    from rasa.core.agent import Agent

    from core.model_files import latest_model

    model = latest_model()
    if model is None:
        pytest.skip("no trained model: run `ippc train`")
    return Agent.load(str(model))


def _predictions(agent: Any) -> list[tuple[dict, str | None, list[float]]]:
    """Each message parsed, then the next action predicted for a tracker holding it."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    found = []
    for text in MESSAGES:
        parsed = asyncio.run(agent.parse_message(text))
        tracker = DialogueStateTracker.from_events(
            "speedups",
            [
                ActionExecuted("action_listen"),
                UserUttered(text, parsed["intent"], parsed["entities"], parsed),
            ],
            slots=agent.domain.slots,
        )
        prediction = agent.processor._predict_next_with_tracker(tracker)
        found.append(
            (parsed, prediction.policy_name, [round(p, 9) for p in prediction.probabilities])
        )
    return found


@pytest.mark.model
def test_the_graph_runs_as_with_dask(agent: Any) -> None:
    rasa_speedups.uninstall()
    try:
        expected = _predictions(agent)
    finally:
        rasa_speedups.install()
    assert DaskGraphRunner.run is rasa_speedups._run
    assert _predictions(agent) == expected
    assert {policy for _, policy, _ in expected} - {None}  # some policy predicted something


@pytest.mark.model
@pytest.mark.parametrize("target", ["nlu_target", "core_target"])
def test_the_plan_puts_every_node_after_what_it_needs(agent: Any, target: str) -> None:
    runner = agent.processor.graph_runner
    targets = (getattr(agent.processor.model_metadata, target),)
    plan = rasa_speedups.execution_plan(runner, targets)
    seen: set[str] = set()
    for name, needs in plan:
        assert all(n in seen or n not in runner._graph_schema.nodes for n in needs)
        seen.add(name)
    assert len(plan) >= 5 and plan[-1][0] == targets[0]
