"""The pause: HandoffPolicy, inside Rasa's own ensemble against RulePolicy, decides from
the ticket database whether the bot answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph

from handoff.policy import HandoffPolicy
from tests.handoff.conftest import mark_closed

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, human_handoff, nlu_fallback]
responses:
  utter_greet: [{text: "你好"}]
forms:
  other_form: {required_slots: []}
actions: [action_human_handoff, action_handoff_relay, action_handoff_rate]
"""
)
RULES = """
version: "3.1"
rules:
  - rule: greet
    steps: [{intent: greet}, {action: utter_greet}]
  - rule: handoff
    steps: [{intent: human_handoff}, {action: action_human_handoff}]
"""


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def policies(tmp_path: Path) -> tuple[HandoffPolicy, RulePolicy]:
    storage = LocalModelStorage(tmp_path)
    handoff = HandoffPolicy.create(
        HandoffPolicy.get_default_config(), storage, Resource("handoff"), _context()
    )
    rules = RulePolicy.create(
        RulePolicy.get_default_config(), storage, Resource("rules"), _context()
    )
    steps = YAMLStoryReader(DOMAIN).read_from_string(RULES)
    trackers = TrainingDataGenerator(StoryGraph(steps), DOMAIN, augmentation_factor=0).generate()
    rules.train(trackers, DOMAIN)
    return handoff, rules


def _tracker(sender: str, text: str, intent: str, loop: str | None = None) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    if loop:
        events = [ActionExecuted(loop), ActiveLoop(loop), ActionExecuted("action_listen")]
    events.append(UserUttered(text, intent={"name": intent, "confidence": 0.9}))
    return DialogueStateTracker.from_events(sender, events)


def _winner(policies, tracker: DialogueStateTracker) -> str:
    predictions = [p.predict_action_probabilities(tracker, DOMAIN) for p in policies]
    best = DefaultPolicyPredictionEnsemble().combine_predictions(predictions, tracker, DOMAIN)
    return DOMAIN.action_names_or_texts[best.probabilities.index(max(best.probabilities))]


def test_without_a_ticket_the_bot_answers(handoff_db: str, policies) -> None:
    assert _winner(policies, _tracker("p1", "你好", "greet")) == "utter_greet"


def test_with_an_open_ticket_every_message_goes_to_staff(
    handoff_db: str,
    policies,
    make_ticket,
) -> None:
    make_ticket("p2")
    assert _winner(policies, _tracker("p2", "你好", "greet")) == "action_handoff_relay"
    assert _winner(policies, _tracker("p2", "嗯嗯", "nlu_fallback")) == "action_handoff_relay"
    after_relay = _tracker("p2", "你好", "greet")
    after_relay.update(ActionExecuted("action_handoff_relay"))
    assert _winner(policies, after_relay) == "action_listen"
    assert _winner(policies, _tracker("p3", "你好", "greet")) == "utter_greet"  # others unaffected


def test_closing_resumes_the_bot_and_a_bare_rating_is_taken(
    handoff_db: str,
    policies,
    make_ticket,
) -> None:
    ticket_id = make_ticket("p4")
    mark_closed(handoff_db, ticket_id)
    assert _winner(policies, _tracker("p4", "5", "nlu_fallback")) == "action_handoff_rate"
    assert _winner(policies, _tracker("p4", "四分", "nlu_fallback")) == "action_handoff_rate"
    assert _winner(policies, _tracker("p4", "你好", "greet")) == "utter_greet"


def test_asking_for_a_person_inside_another_form_leaves_it(handoff_db: str, policies) -> None:
    tracker = _tracker("p5", "转人工", "human_handoff", loop="other_form")
    assert _winner(policies, tracker) == "action_human_handoff"


def test_a_guessed_request_inside_a_form_goes_to_the_form_first(handoff_db: str, policies) -> None:
    # "工业机器人" answering "which field?" scored as human_handoff: the form may take it
    tracker = _tracker("p5b", "工业机器人", "human_handoff", loop="other_form")
    assert _winner(policies, tracker) == "other_form"


def test_without_the_tables_the_bot_still_answers(
    policies,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IPPC_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert _winner(policies, _tracker("p6", "你好", "greet")) == "utter_greet"


def test_after_closing_a_rest_user_first_gets_the_queued_closing_words(
    handoff_db: str,
    policies,
    make_ticket,
) -> None:
    from channels import outbox

    ticket_id = make_ticket("rest:p7")
    mark_closed(handoff_db, ticket_id)
    outbox.store("rest:p7", "rest", [{"text": "工作人员已结束本次人工服务"}])
    assert _winner(policies, _tracker("rest:p7", "好的", "greet")) == "action_handoff_relay"
    outbox.claim("rest:p7")
    assert _winner(policies, _tracker("rest:p7", "好的", "greet")) == "utter_greet"
