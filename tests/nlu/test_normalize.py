"""Text normalisation: full-width, traditional characters, control characters, size."""

from __future__ import annotations

from nlu.normalize import MAX_MESSAGE_CHARS, normalize_text


def test_full_width_and_traditional() -> None:
    assert normalize_text("ＹＳ２０２５　專利預審怎麼辦理？") == "YS2025 专利预审怎么办理?"


def test_control_characters_and_spaces() -> None:
    assert normalize_text("你好\x00\x07  \u200b在吗\r\n") == "你好 在吗"


def test_empty_and_none() -> None:
    assert normalize_text(None) == ""
    assert normalize_text("   \t ") == ""


def test_long_messages_are_cut() -> None:
    assert len(normalize_text("预审" * 5000)) == MAX_MESSAGE_CHARS


def test_emoji_and_english_pass_through() -> None:
    assert normalize_text("👍👍") == "👍👍"
    assert normalize_text("Hello") == "Hello"
