"""Messages with nothing to classify: markup, another language, the length limit."""

from __future__ import annotations

import pytest
import yaml

from core.limits import MAX_MESSAGE_CHARS
from core.paths import PROJECT_ROOT
from nlu.normalize import normalize_text
from nlu.readable import has_no_words, is_foreign, too_long, unreadable


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ('<img src=x onerror="alert(1)"><script>alert(2)</script>', ""),
        ("你好<b>预审</b>要多久", "你好 预审 要多久"),
        ("<style>p{color:red}</style>专利", "专利"),
        ("<script>alert(1)", ""),  # never closed: dropped to the end
        ("<5年的专利", "<5年的专利"),  # not a tag
        ("《专利法》<专利>", "《专利法》<专利>"),
    ],
)
def test_markup_is_dropped_and_text_kept(typed: str, read: str) -> None:
    assert normalize_text(typed) == read


@pytest.mark.parametrize(
    "text", ["hello, can you help me?", "What is fast track patent examination", "ok thanks"]
)
def test_latin_script_without_chinese_is_foreign(text: str) -> None:
    assert is_foreign(text) and not unreadable(text)  # classified, then noted


@pytest.mark.parametrize(
    "text", ["hi", "CN202310001234.5", "预审 pre-exam 怎么apply", "YS2025001 进度", "ok"]
)
def test_chinese_or_one_word_is_not_foreign(text: str) -> None:
    assert not is_foreign(text)


def test_no_words() -> None:
    assert has_no_words("？？？") and has_no_words("👍👍") and has_no_words("")
    assert not has_no_words("预审")


def test_the_length_limit_and_its_note() -> None:
    assert too_long("专" * MAX_MESSAGE_CHARS) and not too_long("专" * (MAX_MESSAGE_CHARS - 1))
    core = yaml.safe_load((PROJECT_ROOT / "bot/domain/core.yml").read_text(encoding="utf-8"))
    note = core["responses"]["utter_message_too_long"][0]["text"]
    assert str(MAX_MESSAGE_CHARS) in note  # the note names the limit the channels apply
