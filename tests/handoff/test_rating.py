"""The 1–5 rating as users type it, from the words of knowledge_base/data/words/handoff.yml."""

from __future__ import annotations

import pytest

from handoff.rating import parse_rating, rating_question


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", 5), ("４分", 4), ("五星", 5), ("两颗星", 2), ("打分 3", 3), ("给1分！", 1), (" 三 ", 3)],
)
def test_a_whole_message_rating_is_read(text: str, score: int) -> None:
    assert parse_rating(text) == score


@pytest.mark.parametrize("text", ["", "6", "0分", "五星级酒店", "3号窗口", "我给3分吧谢谢", None])
def test_anything_else_is_no_rating(text: str | None) -> None:
    assert parse_rating(text) is None


def test_the_question_offers_five_buttons_whose_payload_is_read_back() -> None:
    buttons = rating_question()["buttons"]
    assert [b["payload"] for b in buttons] == ["5", "4", "3", "2", "1"]
    assert all(parse_rating(b["payload"]) == int(b["payload"]) for b in buttons)
    assert all(parse_rating(b["title"]) == int(b["payload"]) for b in buttons)
