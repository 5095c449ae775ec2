"""The two pipeline components around the classifiers, on Rasa messages without a model:
the classifiers see only the rest of a request for a person, and the result is human_handoff
with the rest's topic kept. Messages are written for this test."""

from __future__ import annotations

from unittest.mock import MagicMock

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.handoff_request import HandoffRequestMarker, HandoffRequestOverride
from nlu.handoff_words import load_handoff_words
from nlu.topics import understanding


def _marker() -> HandoffRequestMarker:
    return HandoffRequestMarker({}, MagicMock(), MagicMock(), load_handoff_words())


def _override() -> HandoffRequestOverride:
    return HandoffRequestOverride(HandoffRequestOverride.get_default_config())


def _classified(message: Message, ranking: list[tuple[str, float]]) -> None:
    """What the intent classifier and the fallback classifier would leave on the message."""
    items = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set(INTENT, items[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, items, add_to_output=True)


def test_the_classifiers_see_the_rest_and_the_result_is_a_handoff_with_its_topic() -> None:
    text = "我要转人工，问一下深圳的海外维权援助"
    message = Message(data={TEXT: text})
    _marker().process([message])
    assert "转人工" not in message.get(TEXT)
    start = message.get(TEXT).index("深圳")
    message.set(ENTITIES, [{"entity": "region", "value": "深圳", "start": start, "end": start + 2}])
    _classified(message, [("dispute_overseas", 0.88), ("dispute_routes", 0.07)])
    _override().process([message])

    parse = message.as_dict(only_output_properties=True)
    assert parse[TEXT] == text
    assert parse[INTENT] == {"name": "human_handoff", "confidence": 1.0}
    assert [i["name"] for i in parse[INTENT_RANKING_KEY]][:2] == [
        "human_handoff",
        "dispute_overseas",
    ]
    assert parse["handoff_topic"]["topic"] == "dispute_overseas"
    entity = parse[ENTITIES][0]
    assert text[entity["start"] : entity["end"]] == "深圳"
    assert understanding(parse)[:2] == ("human_handoff", "dispute_overseas")


def test_a_bare_request_wins_over_a_wrong_guess_and_names_no_topic() -> None:
    message = Message(data={TEXT: "人工！！"})
    _marker().process([message])
    assert message.get(TEXT) == "人工！！"
    _classified(message, [("nlu_fallback", 0.45), ("greet", 0.3), ("human_handoff", 0.2)])
    _override().process([message])
    assert message.get(INTENT)["name"] == "human_handoff"
    assert message.get("handoff_topic") is None
    assert "nlu_fallback" not in [i["name"] for i in message.get(INTENT_RANKING_KEY)]


def test_an_unsure_or_small_talk_rest_names_no_topic() -> None:
    for ranking in ([("greet", 0.9)], [("fasttrack_process", 0.3), ("fasttrack_fee", 0.2)]):
        message = Message(data={TEXT: "你好你好，能不能转人工问个问题"})
        _marker().process([message])
        _classified(message, ranking)
        _override().process([message])
        assert message.get(INTENT)["name"] == "human_handoff"
        assert message.get("handoff_topic") is None


def test_other_messages_pass_untouched() -> None:
    message = Message(data={TEXT: "人工智能的专利能预审吗"})
    _marker().process([message])
    _classified(message, [("fasttrack_eligibility", 0.93)])
    _override().process([message])
    assert message.get(INTENT)["name"] == "fasttrack_eligibility"
    assert message.get("handoff_topic") is None
