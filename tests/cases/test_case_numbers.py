"""The one case-number definition: what it finds in messages and how it normalises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.patterns import (
    CASE_NUMBER_PATTERN,
    extract_phone_last4,
    find_case_numbers,
    normalise_case_number,
)


@pytest.mark.parametrize(
    ("message", "value"),
    [
        ("我的预审YS2025000123到哪一步了", "YS2025000123"),
        ("ys 2025 000123", "YS2025000123"),
        ("ＹＳ２０２５０００１２３进度", "YS2025000123"),
        ("案号：ba2024 000456。", "BA2024000456"),
        ("维权 WQ-2025-000789 怎么样", "WQ-2025-000789"),
        ("YS2025000123 1234", "YS2025000123"),
    ],
)
def test_case_numbers_are_found_and_normalised(message: str, value: str) -> None:
    found = find_case_numbers(message)
    assert [match.value for match in found] == [value]
    match = found[0]
    assert message[match.start : match.end] == match.text
    assert normalise_case_number(match.text) == value


@pytest.mark.parametrize(
    "message",
    ["TEL 13812345678", "iphone 2025 123456", "预审要多久", "2025年3月14日", "尾号1234", "YS20"],
)
def test_other_text_is_not_a_case_number(message: str) -> None:
    assert find_case_numbers(message) == []


@pytest.mark.parametrize(
    ("message", "digits"),
    [
        ("1234", "1234"),
        ("１２３４", "1234"),
        ("1 2 3 4", "1234"),
        ("后四位是5678", "5678"),
        ("YS2025000123 尾号 0931", "0931"),
        ("手机13812345678", "5678"),
        ("ys 2025 000123", None),
        ("12345", None),
        ("1234 5678", None),
        ("不知道", None),
    ],
)
def test_phone_last4_is_the_only_four_digit_group(message: str, digits: str | None) -> None:
    assert extract_phone_last4(message) == digits


_prefix = st.sampled_from(["YS", "BA", "WQ", "ys", "Ba"])
_year = st.integers(min_value=1990, max_value=2099).map(str)
_serial = st.text(alphabet="0123456789", min_size=4, max_size=8)
_to_full_width = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@given(_prefix, _year, _serial, st.booleans(), st.sampled_from(["", " ", "　"]))
def test_any_typing_of_a_number_normalises_to_one_value(
    prefix: str, year: str, serial: str, full_width: bool, space: str
) -> None:
    typed = f"{prefix}{space}{year}{space}{serial}"
    if full_width:
        typed = typed.translate(_to_full_width)
    expected = f"{prefix.upper()}{year}{serial}"
    assert [m.value for m in find_case_numbers(f"查一下{typed}的进度")] == [expected]
    assert CASE_NUMBER_PATTERN.fullmatch(expected)
