"""Answers read well on every channel: WeChat and Telegram get plain text within their limits,
lists stay one item a line and the source footnote stays whole on the last piece."""

from __future__ import annotations

from channels.render import split_text, utf8_len, utf16_len
from knowledge_base.base import KnowledgeBase
from knowledge_base.eligibility import answer_eligibility

WECHAT_PASSIVE_BYTES = 2000  # channels/wechat.py PASSIVE_BYTES
TELEGRAM_LIMIT = 4096  # channels/telegram.py MESSAGE_LIMIT


def _answers(kb: KnowledgeBase) -> list[str]:
    texts = [kb.render_answer(key) for key in kb.answers]
    texts.append(answer_eligibility(kb, kb.region("南京"), "新能源", None))  # a long one
    texts.append(answer_eligibility(kb, kb.region("长沙"), "新材料", None))
    return texts


def test_footnote_is_whole_on_the_last_wechat_piece(kb: KnowledgeBase) -> None:
    for text in _answers(kb):
        pieces = split_text(text, WECHAT_PASSIVE_BYTES, utf8_len)
        assert all(utf8_len(p) <= WECHAT_PASSIVE_BYTES for p in pieces)
        assert pieces[-1].splitlines()[-1] == text.splitlines()[-1]


def test_every_answer_fits_one_telegram_message(kb: KnowledgeBase) -> None:
    for text in _answers(kb):
        assert len(split_text(text, TELEGRAM_LIMIT, utf16_len)) == 1
        assert utf16_len(text) <= TELEGRAM_LIMIT


def test_lists_are_one_item_a_line(kb: KnowledgeBase) -> None:
    lines = kb.render_answer("fasttrack_materials/list").splitlines()
    assert [line[:2] for line in lines[1:6]] == ["1.", "2.", "3.", "4.", "5."]
