"""The two policies that decide in code share dialogue.untrained_policy.UntrainedPolicy: they
train to nothing stored, load back as created, and turn their one action into a certain
"no user" prediction (or predict nothing). No database and no trained model needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from dialogue.policy import DialoguePolicy
from dialogue.untrained_policy import UntrainedPolicy
from handoff.policy import HandoffPolicy

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
actions: [action_stop_form]
responses:
  utter_greet: [{text: hi}]
"""
)


class FixedPolicy(UntrainedPolicy):
    action: str | None = None

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        return self.action


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _tracker() -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered("你好", intent={"name": "greet"})]
    return DialogueStateTracker.from_events("u1", events)


@pytest.mark.parametrize("cls", [DialoguePolicy, HandoffPolicy, FixedPolicy])
def test_training_stores_nothing_and_loading_gives_the_policy_back(cls, tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource(cls.__name__)
    config = {**cls.get_default_config()}
    policy = cls.create(config, storage, resource, _context())
    assert policy.train([], DOMAIN) == resource
    assert list(tmp_path.iterdir()) == []
    loaded = cls.load(config, storage, resource, _context())
    assert isinstance(loaded, cls) and loaded.priority == policy.priority


def test_the_action_is_a_certain_no_user_prediction(tmp_path: Path) -> None:
    policy = FixedPolicy.create({}, LocalModelStorage(tmp_path), Resource("f"), _context())
    policy.action = "action_stop_form"
    prediction = policy.predict_action_probabilities(_tracker(), DOMAIN)
    assert prediction.is_no_user_prediction
    assert prediction.probabilities[DOMAIN.index_for_action("action_stop_form")] == 1.0
    assert sum(prediction.probabilities) == 1.0


@pytest.mark.parametrize("action", [None, "action_not_in_the_domain"])
def test_no_action_or_an_unknown_one_predicts_nothing(action, tmp_path: Path) -> None:
    policy = FixedPolicy.create({}, LocalModelStorage(tmp_path), Resource("f"), _context())
    policy.action = action
    prediction = policy.predict_action_probabilities(_tracker(), DOMAIN)
    assert not prediction.is_no_user_prediction and max(prediction.probabilities) == 0.0
