from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.masking import mask_sensitive


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("我的手机是13812345678，请回电", "13812345678", "138****5678"),
        ("电话 +86 139-0000-1111", "0000", "139****1111"),
        ("身份证号110101199003071234", "19900307", "110***********1234"),
        ("证件 11010119900307123X。", "19900307", "123X"),
        ("座机 010-87654321", "8765", "010-****4321"),
    ],
)
def test_numbers_are_masked(text: str, hidden: str, kept: str) -> None:
    masked = mask_sensitive(text)
    assert hidden not in masked
    assert kept in masked


def test_other_numbers_and_case_numbers_stay() -> None:
    text = "案件 YS2025000123 在 2025-03-14 更新，金额 12000 元"
    assert mask_sensitive(text) == text


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.text(alphabet="你好请联系我", max_size=5)
)
def test_any_mobile_number_is_masked(number: str, words: str) -> None:
    masked = mask_sensitive(f"{words}{number}{words}")
    assert number not in masked
    assert mask_sensitive(masked) == masked  # idempotent
