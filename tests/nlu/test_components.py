"""The custom pipeline components follow Rasa's conventions: each is created, trained, stored
in a real model storage and loaded back with the same data and the same results, declares its
languages (Chinese) and the packages it needs. No trained model is needed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import rasa.shared.utils.io
from rasa.engine import validation
from rasa.engine.exceptions import GraphSchemaValidationException
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.data import TrainingType
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import nlu.components
from core.paths import CONFIG_FILE
from nlu.components import (
    CharNgramIntentClassifier,
    CharNgramResponseSelector,
    DomainJiebaTokenizer,
    HandoffRequestMarker,
    KnowledgeEntityRuler,
    OutOfDomainGate,
)

COMPONENTS: list[type[GraphComponent]] = [
    getattr(nlu.components, n) for n in nlu.components.__all__
]


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _round_trip(cls: type[GraphComponent], tmp_path: Path) -> tuple[Any, Any]:
    """The component as created for training, and as loaded from what its train() stored."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource(cls.__name__)
    config = {**cls.get_default_config()}
    created = cls.create(config, storage, resource, _context())
    assert created.train(TrainingData()) == resource
    loaded = cls.load(config, storage, resource, _context())
    return created, loaded


def _message(text: str, ranking: list[tuple[str, float]] | None = None) -> Message:
    message = Message(data={TEXT: text})
    if ranking:
        items = [{"name": name, "confidence": value} for name, value in ranking]
        message.set(INTENT, items[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, items, add_to_output=True)
    return message


def test_the_entity_ruler_loads_the_patterns_it_stored(tmp_path: Path) -> None:
    created, loaded = _round_trip(KnowledgeEntityRuler, tmp_path)
    assert loaded.patterns == created.patterns and created.patterns
    text = "我们在深圳做新能源，案件编号YS2025000123"
    found = loaded.process([_message(text)])[0].get(ENTITIES)
    assert found == created.process([_message(text)])[0].get(ENTITIES)
    assert {e["entity"] for e in found} >= {"region", "tech_field", "case_number"}


def test_the_domain_gate_loads_the_words_it_stored(tmp_path: Path) -> None:
    created, loaded = _round_trip(OutOfDomainGate, tmp_path)
    assert loaded.words == created.words and "专利" in loaded.words
    message = loaded.process([_message("帮我设个闹钟", [("fasttrack_fee", 0.2)])])[0]
    assert message.get(INTENT)["name"] == "out_of_scope"


def test_the_handoff_marker_loads_the_words_it_stored(tmp_path: Path) -> None:
    created, loaded = _round_trip(HandoffRequestMarker, tmp_path)
    # equal-length words may come back in another order (from_dict sorts a set by length)
    as_sets = lambda words: {name: set(items) for name, items in words.as_dict().items()}  # noqa: E731
    assert as_sets(loaded.words) == as_sets(created.words)
    message = loaded.process([_message("我要转人工，问一下海外维权的事")])[0]
    assert "转人工" not in message.get(TEXT) and "海外维权" in message.get(TEXT)


def test_the_intent_classifier_loads_the_model_it_trained(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("CharNgramIntentClassifier")
    config = CharNgramIntentClassifier.get_default_config()
    examples = {
        "fee": ["预审收费吗", "预审要交钱吗", "预审费用多少", "收不收费"],
        "greet": ["你好", "您好啊", "在吗", "哈喽"],
        "case": ["查一下案件进度", "我的案子到哪一步了", "帮我查进度", "审到哪了"],
    }
    data = TrainingData(
        [Message(data={TEXT: t, INTENT: i}) for i, texts in examples.items() for t in texts]
    )
    created = CharNgramIntentClassifier.create(config, storage, resource, _context())
    created.train(data)
    loaded = CharNgramIntentClassifier.load(config, storage, resource, _context())
    for text, intent in [("预审收钱吗", "fee"), ("您好", "greet"), ("进度查一下", "case")]:
        before = created.process([_message(text)])[0]
        after = loaded.process([_message(text)])[0]
        assert before.get(INTENT)["name"] == after.get(INTENT)["name"] == intent
        assert before.get(INTENT)["confidence"] == pytest.approx(after.get(INTENT)["confidence"])
        ranking = after.get(INTENT_RANKING_KEY)
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_an_untrained_intent_classifier_leaves_messages_alone(tmp_path: Path) -> None:
    created, loaded = _round_trip(CharNgramIntentClassifier, tmp_path)
    assert loaded.process([_message("你好")])[0].get(INTENT) is None


def _retrieval_data() -> TrainingData:
    """Two retrieval intents (one with a single sub-intent), an ordinary intent, responses."""
    examples = {
        "faq/fee": ["预审收费吗", "预审要交钱吗", "预审费用多少", "收不收费"],
        "faq/time": ["预审要多久", "多长时间能审完", "审查周期多长", "几天出结果"],
        "faq/place": ["在哪里办理预审", "预审去哪办", "中心地址在哪", "办理地点是哪里"],
        "chitchat/weather": ["今天天气怎么样", "会下雨吗"],
        "greet": ["你好", "您好啊"],
    }
    messages = []
    for label, texts in examples.items():
        intent, _, key = label.partition("/")
        data = {INTENT: intent, **({INTENT_RESPONSE_KEY: label} if key else {})}
        messages += [Message(data={TEXT: t, **data}) for t in texts]
    responses = {
        f"utter_{label}": [{"text": f"answer of {label}"}] for label in examples if "/" in label
    }
    return TrainingData(messages, responses=responses)


def test_the_response_selector_loads_the_model_it_trained(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("CharNgramResponseSelector")
    config = CharNgramResponseSelector.get_default_config()
    created = CharNgramResponseSelector.create(config, storage, resource, _context())
    assert created.train(_retrieval_data()) == resource
    loaded = CharNgramResponseSelector.load(config, storage, resource, _context())
    for text, key in [
        ("预审收钱吗", "faq/fee"),
        ("要审多久", "faq/time"),
        ("去哪里办", "faq/place"),
    ]:
        ranking = [("faq", 0.8), ("chitchat", 0.15), ("greet", 0.05)]
        before = created.process([_message(text, ranking)])[0].get("response_selector")
        after = loaded.process([_message(text, ranking)])[0].get("response_selector")
        # the same choices; confidences up to the float32 weights that were stored
        for intent in ("faq", "chitchat"):
            ranked = [
                [r["intent_response_key"] for r in x[intent]["ranking"]] for x in (before, after)
            ]
            assert ranked[0] == ranked[1]
            assert [r["confidence"] for r in after[intent]["ranking"]] == pytest.approx(
                [r["confidence"] for r in before[intent]["ranking"]], abs=1e-5
            )
        # what Rasa's ResponseSelector writes, one entry per retrieval intent
        assert after["all_retrieval_intents"] == ["chitchat", "faq"]
        response = after["faq"]["response"]
        assert response == {
            "responses": [{"text": f"answer of {key}"}],
            "confidence": pytest.approx(response["confidence"]),
            "intent_response_key": key,
            "utter_action": f"utter_{key}",
        }
        ranking = after["faq"]["ranking"]
        assert [r["intent_response_key"] for r in ranking][0] == key
        assert {tuple(sorted(r)) for r in ranking} == {("confidence", "intent_response_key")}
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
        assert response["confidence"] == ranking[0]["confidence"] > ranking[1]["confidence"]
        # a retrieval intent with one sub-intent answers it, whatever the message
        assert after["chitchat"]["response"]["intent_response_key"] == "chitchat/weather"


def test_only_the_best_intents_get_an_entry(tmp_path: Path) -> None:
    """Not every retrieval intent with all its answers in every stored message."""
    storage = LocalModelStorage(tmp_path)
    config = {**CharNgramResponseSelector.get_default_config(), "candidates": 1}
    selector = CharNgramResponseSelector.create(config, storage, Resource("s"), _context())
    selector.train(_retrieval_data())
    found = selector.process([_message("预审收钱吗", [("faq", 0.9), ("chitchat", 0.1)])])
    entries = found[0].get("response_selector")
    assert set(entries) == {"all_retrieval_intents", "faq"}
    greeted = selector.process([_message("你好", [("greet", 0.9), ("faq", 0.1)])])
    assert set(greeted[0].get("response_selector")) == {"all_retrieval_intents"}


def test_an_untrained_response_selector_leaves_messages_alone(tmp_path: Path) -> None:
    created, loaded = _round_trip(CharNgramResponseSelector, tmp_path)
    assert loaded.process([_message("你好")])[0].get("response_selector") is None


def test_the_tokenizer_loads_the_dictionary_it_stored(tmp_path: Path) -> None:
    created, loaded = _round_trip(DomainJiebaTokenizer, tmp_path)
    lines = created._lines
    assert lines and loaded._lines == lines
    term = lines[0].rsplit(" ", 2)[0]
    tokens = loaded.tokenize(_message(f"我想问{term}的事"), TEXT)
    assert term in [t.text for t in tokens]


@pytest.mark.parametrize("cls", COMPONENTS, ids=lambda c: c.__name__)
def test_each_component_is_for_chinese_and_names_importable_packages(
    cls: type[GraphComponent],
) -> None:
    assert cls.supported_languages() == ["zh"]
    packages = cls.required_packages()
    assert isinstance(packages, list)
    assert [p for p in packages if importlib.util.find_spec(p) is None] == []


def _validate(config: dict[str, Any]) -> None:
    recipe = Recipe.recipe_for_name(config["recipe"])
    graph = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)
    validation.validate(graph)


def test_rasa_accepts_the_pipeline_and_policies_of_the_config() -> None:
    """Rasa's own graph validation (signatures, type hints, languages, packages), as at
    the start of ``rasa train``; and it does check: the pipeline is not for English."""
    config = rasa.shared.utils.io.read_model_configuration(CONFIG_FILE)
    _validate(config)
    with pytest.raises(GraphSchemaValidationException, match="language"):
        _validate({**config, "language": "en"})
