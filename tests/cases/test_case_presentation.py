"""What the user is shown: masked applicants and an explanation for every status."""

from __future__ import annotations

from datetime import datetime

import pytest

from cases import replies
from cases.explanations import case_types, explain, known_statuses
from cases.masking import mask_applicant, mask_phone
from cases.records import CaseRecord


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("测试科技有限公司", "测**科技有限公司"),
        ("北京某某生物医药股份有限公司", "北**生物医药股份有限公司"),
        ("张三", "张**"),
        ("欧阳小明", "欧**"),
        ("某大学", "某**大学"),
        ("王", "王**"),
    ],
)
def test_applicant_is_masked_without_revealing_the_name(name: str, masked: str) -> None:
    assert mask_applicant(name) == masked


def test_phone_is_masked_to_the_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("case_type", case_types())
def test_every_known_status_has_its_own_explanation(case_type: str) -> None:
    statuses = known_statuses(case_type)
    assert len(statuses) >= 5
    explanations = {explain(case_type, status) for status in statuses}
    assert len(explanations) == len(statuses)
    assert explain(case_type, "某个系统自定义状态") == explain(case_type, "default")


def test_the_same_status_means_different_things_per_case_type() -> None:
    assert explain("预审", "已受理") != explain("维权", "已受理")


def test_found_reply_has_status_date_meaning_next_step_and_masked_name() -> None:
    record = CaseRecord(
        "YS2025000123", "预审", "测试科技有限公司", "5678", "预审合格", datetime(2025, 3, 14, 10, 5)
    )
    text = replies.found(record)
    assert "预审合格" in text and "2025-03-14" in text
    assert explain("预审", "预审合格").next_step in text
    assert "测**科技有限公司" in text and "测试" not in text
    assert "5678" not in text
