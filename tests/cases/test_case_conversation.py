"""The whole lookup through the REST channel of the running assistant (``ippc run``): import a
CSV with ``ippc cases import`` into its database, then converse."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from knowledge_base.texts import say

pytestmark = pytest.mark.model

CSV = (
    "case_number,case_type,applicant,phone,status,updated_at,note\n"
    "YS2025300001,预审,测试科技有限公司,13812345678,预审合格,2025-03-14,\n"
    "BA2025300002,备案,张三丰,13900001111,待补充材料,2025-04-01 10:00,\n"
)


@pytest.fixture(scope="module")
def assistant(live_assistant, tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("cases-conversation") / "cases.csv"
    path.write_text(CSV, encoding="utf-8")
    result = live_assistant.ippc("cases", "import", str(path))
    assert result.returncode == 0, result.stderr
    return live_assistant


def _sender() -> str:
    return f"cases-{uuid.uuid4().hex[:10]}"


def test_the_form_asks_for_both_values_then_shows_the_status(assistant) -> None:
    sender = _sender()
    assert "案件编号" in assistant.texts(sender, "帮我查一下我的案件进度")
    assert "后四位" in assistant.texts(sender, "ys 2025 300001")
    answer = assistant.texts(sender, "５６７８")
    assert "预审合格" in answer and "2025-03-14" in answer
    assert "测**科技有限公司" in answer and "测试科技" not in answer


def test_both_values_in_one_message(assistant) -> None:
    answer = assistant.texts(_sender(), "查一下备案BA2025300002的进度，手机尾号1111")
    assert "待补充材料" in answer and "张**" in answer


def test_a_wrong_pair_shows_nothing_about_the_case(assistant) -> None:
    wrong_phone = assistant.texts(_sender(), "我的预审YS2025300001到哪一步了，手机后四位0000")
    no_case = assistant.texts(_sender(), "我的预审YS2025399999到哪一步了，手机后四位5678")
    assert wrong_phone == no_case == say("cases.not_verified")


def test_the_lookups_are_in_the_audit_log_with_the_channel(assistant) -> None:
    sender = _sender()
    assistant.texts(sender, "查一下备案BA2025300002的进度，手机尾号1111")
    result = assistant.ippc("cases", "audit", "--json", "--limit", "500")
    lines = [line for line in result.stdout.splitlines() if sender in line]
    assert len(lines) == 1 and '"channel": "rest"' in lines[0] and '"outcome": "found"' in lines[0]
    assert "1111" not in result.stdout
