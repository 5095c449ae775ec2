"""A request for a person is found by words, never missed, and the rest of the message is kept.

The messages here are written for this test (not taken from the evaluation sets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from core.paths import DATA_DIR
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.words import load_words
from nlu.handoff_words import (
    HandoffWords,
    HandoffWordsError,
    find_request,
    load_handoff_words,
)
from nlu.normalize import normalize_text


@pytest.fixture(scope="module")
def words() -> HandoffWords:
    return load_handoff_words()


@pytest.mark.parametrize(
    "text",
    [
        "转人工",
        "人工客服",
        "人工！！！",
        "人工人工",
        "找客服",
        "接人工，谢谢",
        "能不能找真人聊聊",
        "Human please",
        "转認工",  # typo, traditional character
    ],
)
def test_requests_are_found(words: HandoffWords, text: str) -> None:
    assert find_request(normalize_text(text), words) is not None


@pytest.mark.parametrize(
    "text",
    [
        "人工智能的专利能在哪预审",
        "你是真人吗",
        "不用转人工了，我自己看看",
        "我们公司做人工关节的，能预审吗",
        "客服电话是多少",
        "预审要多久",
    ],
)
def test_other_messages_are_not_requests(words: HandoffWords, text: str) -> None:
    assert find_request(normalize_text(text), words) is None


def test_the_rest_of_a_request_is_kept_with_its_positions(words: HandoffWords) -> None:
    text = "我要转人工，问下深圳中心的海外维权援助"
    request = find_request(text, words)
    assert request is not None and request.rest == "我要，问下深圳中心的海外维权援助"
    start = request.rest.index("深圳")
    assert text[request.position_in_message(start) :].startswith("深圳")
    assert request.position_in_message(len(request.rest) - 1) == len(text) - 1


def test_a_request_with_only_fillers_has_no_rest(words: HandoffWords) -> None:
    request = find_request("麻烦帮我转一下人工吧", words)
    assert request is not None and request.rest is None


def test_an_ai_company_asking_for_a_person_is_a_request(words: HandoffWords) -> None:
    request = find_request("我们做人工智能的，想转人工问问预审条件", words)
    assert request is not None and "人工智能" in request.rest


def test_no_training_example_of_another_intent_reads_as_a_request(words: HandoffWords) -> None:
    training = load_data(str(DATA_DIR / "nlu"))
    wrong = [
        (example.get("intent"), example.get("text"))
        for example in training.intent_examples
        if example.get("intent") != "human_handoff"
        and find_request(normalize_text(example.get("text")), words) is not None
    ]
    assert not wrong, wrong


def test_a_broken_word_list_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "handoff_request.yml").write_text("requests: 转人工\n", encoding="utf-8")
    with pytest.raises(
        KnowledgeBaseError, match=r"handoff_request\.yml:1: handoff_request\.requests: must be"
    ):
        load_handoff_words(tmp_path)
    (tmp_path / "words" / "handoff_request.yml").write_text("fillers: [吧]\n", encoding="utf-8")
    load_words.cache_clear()
    with pytest.raises(HandoffWordsError, match="requests: at least one word"):
        load_handoff_words(tmp_path)
    load_words.cache_clear()
    with pytest.raises(HandoffWordsError, match="at least one word"):
        HandoffWords.from_dict({"requests": []})
