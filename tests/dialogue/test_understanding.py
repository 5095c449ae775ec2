"""The text cues of knowledge_base/data/words/dialogue.yml: stopping, correcting, negating."""

from __future__ import annotations

import pytest

from knowledge_base.base import KnowledgeBase, get_knowledge_base
from knowledge_base.dialogue import (
    affirmed,
    is_bare_answer,
    is_bare_stop,
    is_correction,
    negated_spans,
    stop_cue,
)
from knowledge_base.disputes import match_option


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return get_knowledge_base()


@pytest.mark.parametrize(
    ("text", "right_type"),
    [
        ("不是专利，是商标", "商标"),
        ("是商标，不是专利", "商标"),
        ("商标，不是专利", "商标"),
        ("商标被人抢注了，并不是专利的事", "商标"),
        ("不是商标，是专利", "专利"),
        ("专利被人用了，不是商标", "专利"),
        ("是著作权而不是商标", "著作权"),
        ("不是专利", None),
    ],
)
def test_negated_right_type_never_counts_in_either_order(
    kb: KnowledgeBase, text: str, right_type: str | None
) -> None:
    assert match_option(kb, "right_type", text) == right_type


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("不是线下，是展会上", "展会"),
        ("在展会上，不是线下", "展会"),
        ("不在淘宝，在实体店", "线下"),
    ],
)
def test_negated_place(kb: KnowledgeBase, text: str, place: str) -> None:
    assert match_option(kb, "place", text) == place


def test_negation_reaches_to_the_next_affirmative_word() -> None:
    text = "不是北京是上海"
    assert [text[s:e] for s, e in negated_spans(text)] == ["北京"]
    mentions = [("北京", 2, 4), ("上海", 5, 7)]
    assert affirmed(text, mentions) == ["上海"]
    both = "我们在上海，不在北京"
    assert affirmed(both, [("上海", 3, 5), ("北京", 8, 10)]) == ["上海"]


@pytest.mark.parametrize(
    "text", ["算了", "算了吧", "不查了", "不用了，谢谢", "先不说这个了", "取消"]
)
def test_bare_stops(text: str) -> None:
    assert is_bare_stop(text)


@pytest.mark.parametrize(
    "text", ["不查了，备案需要什么材料", "先不说这个了，你们电话多少", "算了，预审收费吗"]
)
def test_a_stop_with_a_question_is_not_bare(text: str) -> None:
    assert stop_cue(text) and not is_bare_stop(text)


@pytest.mark.parametrize("text", ["不用了解这些吗", "深圳", "预审怎么收费", "不是"])
def test_no_stop(text: str) -> None:
    assert not is_bare_stop(text)


@pytest.mark.parametrize(
    "text",
    ["说错了，我们在上海", "不对，是实用新型", "其实是苏州", "改成外观设计", "不是深圳，是广州"],
)
def test_corrections(text: str) -> None:
    assert is_correction(text)


@pytest.mark.parametrize("text", ["我们在上海", "预审要多久", "外观设计能预审吗"])
def test_not_corrections(text: str) -> None:
    assert not is_correction(text)


def test_bare_answers_are_values_and_filler() -> None:
    assert is_bare_answer("我们在广州", [(3, 5)])
    assert is_bare_answer("广东深圳", [(0, 2), (2, 4)])
    assert is_bare_answer("做新材料的", [(1, 4)])
    assert not is_bare_answer("广州中心的电话是多少", [(0, 2)])
    assert not is_bare_answer("随便说说", [])
