"""Every intent of the bot maps to exactly one taxonomy topic; our taxonomy copy is current."""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data

from core.paths import DATA_DIR, DOMAIN_DIR, PROJECT_ROOT
from nlu.topics import TAXONOMY_FILE, topic_of, topics, understanding

SHARED_TAXONOMY = PROJECT_ROOT.parent / "shared" / "taxonomy.yml"


@pytest.mark.skipif(not SHARED_TAXONOMY.exists(), reason="shared/ not beside the checkout")
def test_taxonomy_copy_matches_the_contract() -> None:
    ours = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    assert ours == yaml.safe_load(SHARED_TAXONOMY.read_text(encoding="utf-8"))


def test_every_intent_maps_to_a_topic() -> None:
    domain = Domain.load(str(DOMAIN_DIR))
    training = load_data(str(DATA_DIR / "nlu"))
    intents = set(domain.intents) | set(training.intents) | set(training.retrieval_intents)
    intents -= {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"} - set(topics())
    unmapped = sorted(i for i in intents if topic_of(i) is None)
    assert not unmapped, f"intents without a topic: {unmapped}"


def test_every_topic_has_training_examples() -> None:
    training = load_data(str(DATA_DIR / "nlu"))
    trained = {topic_of(intent) for intent in training.intents}
    assert set(topics()) <= trained, sorted(set(topics()) - trained)


def test_sub_intents_map_to_their_topic() -> None:
    assert topic_of("fasttrack_process/after_pass") == "fasttrack_process"
    assert topic_of("no_such_intent") is None


def test_a_handoff_request_takes_the_topic_of_the_rest() -> None:
    parse = {
        "intent": {"name": "human_handoff", "confidence": 1.0},
        "handoff_topic": {"intent": "dispute_overseas", "confidence": 0.91},
    }
    assert understanding(parse) == ("human_handoff", "dispute_overseas", 0.91)
    plain = {"intent": {"name": "human_handoff", "confidence": 0.97}, "handoff_topic": None}
    assert understanding(plain) == ("human_handoff", "human_handoff", 0.97)
