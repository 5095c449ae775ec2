"""Unsure and about nothing of the domain → out_of_scope; everything else passes untouched.
Messages are written for this test."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import MagicMock

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge_base.errors import KnowledgeBaseError
from nlu.components.domain_gate import OutOfDomainGate, load_domain_words


@pytest.fixture(scope="module")
def gate() -> OutOfDomainGate:
    config = OutOfDomainGate.get_default_config()
    return OutOfDomainGate(config, MagicMock(), MagicMock(), load_domain_words())


def _message(text: str, ranking: list[tuple[str, float]]) -> Message:
    items = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={TEXT: text})
    message.set(INTENT, items[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, items, add_to_output=True)
    return message


def test_an_unsure_message_about_nothing_of_the_domain_is_out_of_scope(gate) -> None:
    message = _message("帮我设个明早六点的闹钟", [("nlu_fallback", 0.3), ("case_status", 0.28)])
    gate.process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"
    assert [i["name"] for i in message.get(INTENT_RANKING_KEY)] == ["out_of_scope", "case_status"]


@pytest.mark.parametrize("text", ["?", "？？？", "👍👍", "……！"])
def test_nothing_but_punctuation_or_emoji_asks_to_say_it_in_words(gate, text) -> None:
    message = _message(text, [("out_of_scope", 0.84), ("fasttrack_overview", 0.1)])
    gate.process([message])
    names = [i["name"] for i in message.get(INTENT_RANKING_KEY)]
    assert message.get(INTENT)["name"] == "nlu_fallback" and names[0] == "nlu_fallback"
    assert names[1:] == ["out_of_scope", "fasttrack_overview"]


@pytest.mark.parametrize(
    ("text", "ranking"),
    [
        ("预审那个东西我不太懂", [("nlu_fallback", 0.3), ("fasttrack_overview", 0.28)]),
        ("我们在苏州，做光伏的", [("nlu_fallback", 0.3), ("center_contact", 0.2)]),
        ("你好呀，想咨询点事情", [("greet", 0.35), ("thanks", 0.2)]),
        ("帮我设个闹钟", [("case_status", 0.8)]),
        ("转人工", [("human_handoff", 1.0)]),
    ],
)
def test_domain_words_small_talk_and_sure_guesses_pass(gate, text, ranking) -> None:
    message = _message(text, ranking)
    gate.process([message])
    assert message.get(INTENT)["name"] == ranking[0][0]


@pytest.mark.parametrize(
    ("text", "ranking", "expected"),
    [
        # short and unsure small talk is believed: "Hi there" is not a topic we decline
        ("哈喽哈喽", [("nlu_fallback", 0.3), ("greet", 0.25)], "greet"),
        ("蟹蟹", [("nlu_fallback", 0.3), ("thanks", 0.09)], "thanks"),
        # longer, unsure and about nothing of ours: out of scope, whatever the best guess was
        ("今天股市涨了吗", [("nlu_fallback", 0.3), ("thanks", 0.15)], "out_of_scope"),
        # ... but an unsure out_of_scope stays the fallback (in a form: a failed answer)
        ("这个说不好", [("nlu_fallback", 0.3), ("out_of_scope", 0.1)], "nlu_fallback"),
        # English is classified as usual (the dialogue policy answers it with a language note)
        ("are you a robot", [("bot_identity", 0.95)], "bot_identity"),
        # a message cut at the length limit: the fallback, whose action says so
        ("专利" * 1000, [("ip_finance", 0.9)], "nlu_fallback"),
    ],
)
def test_unsure_small_talk_and_overlong_messages(gate, text, ranking, expected) -> None:
    message = _message(text, ranking)
    gate.process([message])
    assert message.get(INTENT)["name"] == expected


def test_a_broken_word_list_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "domain.yml").write_text("words: 专利\n", encoding="utf-8")
    monkeypatch.setenv("IPPC_KNOWLEDGE_DIR", str(tmp_path))
    with pytest.raises(KnowledgeBaseError, match=r"domain\.yml:1: domain\.words: must be"):
        load_domain_words()
