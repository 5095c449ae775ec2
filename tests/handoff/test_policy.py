"""The pause: HandoffPolicy, inside Rasa's own ensemble against RulePolicy, decides from
the ticket database whether the bot answers."""

from __future__ import annotations

import time
from datetime import datetime, timezone
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

import handoff.policy
from core.migrate import upgrade
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


# ------------------------------------------------------------------ the "no ticket" memory
def _old_conversation(sender: str, seconds_ago: float = 60) -> DialogueStateTracker:
    """A conversation that started ``seconds_ago`` and has had one exchange since."""
    start = time.time() - seconds_ago
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=start),
            UserUttered("你好", intent={"name": "greet", "confidence": 0.9}, timestamp=start + 1),
            ActionExecuted("utter_greet", timestamp=start + 2),
        ],
    )


def _says(tracker: DialogueStateTracker, text: str, intent: str = "greet") -> None:
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, intent={"name": intent, "confidence": 0.9}))


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The conversations the policy asked the database about, one entry per query."""
    asked: list[str] = []
    original = handoff.policy.ticket_state

    def counted(conversation_id: str, *args, **kwargs):
        asked.append(conversation_id)
        return original(conversation_id, *args, **kwargs)

    monkeypatch.setattr(handoff.policy, "ticket_state", counted)
    return asked


def test_without_a_ticket_many_messages_cost_one_query(
    handoff_db: str, policies, queries: list[str]
) -> None:
    tracker = _old_conversation("m1")
    for _ in range(20):
        _says(tracker, "你好")
        assert _winner(policies, tracker) == "utter_greet"
    assert queries == ["m1"]


def test_after_a_handoff_action_the_next_message_is_relayed(
    handoff_db: str, policies, make_ticket, queries: list[str]
) -> None:
    tracker = _old_conversation("m2")
    _says(tracker, "你好")
    assert _winner(policies, tracker) == "utter_greet"  # no ticket: remembered
    _says(tracker, "转人工", "human_handoff")
    assert _winner(policies, tracker) == "action_human_handoff"  # the rule, from memory
    make_ticket("m2")  # what the action does in the action server
    tracker.update(ActionExecuted("action_human_handoff"))
    _says(tracker, "你好")
    assert _winner(policies, tracker) == "action_handoff_relay"
    _says(tracker, "在吗")
    assert _winner(policies, tracker) == "action_handoff_relay"
    assert queries == ["m2", "m2", "m2"]  # with a ticket, every message asks again


def test_a_left_message_is_seen_at_once_too(handoff_db: str, policies, queries: list[str]) -> None:
    from handoff.models import LEFT_MESSAGE
    from handoff.tickets import open_ticket

    tracker = _old_conversation("m3")
    _says(tracker, "你好")
    assert _winner(policies, tracker) == "utter_greet"
    ticket_id = open_ticket("m3", "rest", "left_message", [], status=LEFT_MESSAGE)
    tracker.update(ActionExecuted("action_handoff_leave_message"))
    _says(tracker, "5", "nlu_fallback")
    assert _winner(policies, tracker) != "action_handoff_rate"  # a left message pauses nothing
    # Staff close the left message (no action in the conversation): the conversation has a
    # ticket, so it is asked about on every message and the rating window is seen at once.
    mark_closed(handoff_db, ticket_id)
    _says(tracker, "5", "nlu_fallback")
    assert _winner(policies, tracker) == "action_handoff_rate"
    assert queries == ["m3", "m3", "m3"]


def test_a_new_session_asks_again(
    handoff_db: str, policies, make_ticket, queries: list[str]
) -> None:
    """A ticket opened in a session the new tracker does not show (an action before a
    restart, or before a long session's window) is found: the tracker starts after the
    remembered query."""
    tracker = _old_conversation("m4")
    _says(tracker, "你好")
    assert _winner(policies, tracker) == "utter_greet"
    make_ticket("m4")
    fresh = DialogueStateTracker.from_events("m4", [ActionExecuted("action_listen")])
    fresh.update(UserUttered("你好", intent={"name": "greet", "confidence": 0.9}))
    assert _winner(policies, fresh) == "action_handoff_relay"
    assert queries == ["m4", "m4"]


def test_the_memory_is_per_database(
    handoff_db: str, policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handoff.tickets import Line, open_ticket

    tracker = _old_conversation("m5")
    _says(tracker, "你好")
    assert _winner(policies, tracker) == "utter_greet"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(other)
    line = Line("user", "转人工", datetime.now(timezone.utc))
    open_ticket("m5", "rest", "user_request", [line], url=other)
    monkeypatch.setenv("IPPC_DATABASE_URL", other)
    _says(tracker, "你好")
    assert _winner(policies, tracker) == "action_handoff_relay"
