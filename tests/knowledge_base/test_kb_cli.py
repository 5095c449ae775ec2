"""``ippc kb export`` / ``ippc kb check`` (smoke tests of the real command line) and a
contradictory knowledge file stopping ``ippc train`` before Rasa starts."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.paths import KNOWLEDGE_DIR, PROJECT_ROOT


def _ippc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
    environment.pop("IPPC_CENTER", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ippc.cli", *args],
        capture_output=True, text=True, env=environment, timeout=300, cwd=PROJECT_ROOT,
    )  # fmt: skip


def test_kb_export_markdown_and_csv() -> None:
    markdown = _ippc("kb", "export")
    assert markdown.returncode == 0, markdown.stderr
    assert "## answer:fasttrack_process/amend_after_pass" in markdown.stdout
    assert "- kind: policy" in markdown.stdout and "- kind: sample" in markdown.stdout
    table = _ippc("kb", "export", "--format", "csv")
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    keys = {row["key"] for row in rows}
    assert {"answer:fasttrack_fee", "center:中国（苏州）知识产权保护中心", "center_info"} <= keys
    national = next(r for r in rows if r["key"] == "answer:fasttrack_overview/national_figures")
    assert national["dates"] == "2025-02; undated"  # the press conference; the paper
    assert "新闻发布会" in national["sources"]


def test_kb_check_lists_what_needs_review() -> None:
    result = _ippc("kb", "check", "--max-age-days", "1000")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "old center entry: 中国（浦东）知识产权保护中心 fields as of 2017-07-25" in out
    assert "undated center: 中国（苏州）知识产权保护中心" in out
    assert "sample data: center_info.yml is still sample data" in out
    assert "no source: answers.yml:" in out
    assert "deployment: IPPC_CENTER not set (national guide)" in out
    assert out.splitlines()[-1].startswith("reachable: centers 39,")
    assert _ippc("kb", "check", "--strict").returncode == 1
    bad = _ippc("kb", "check", "--max-age-days", "-1")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_kb_check_with_a_deployment_center() -> None:
    result = _ippc("kb", "check", env={"IPPC_CENTER": "烟台中心"})
    assert "deployment: IPPC_CENTER = 中国（烟台）知识产权保护中心" in result.stdout
    wrong = _ippc("kb", "check", env={"IPPC_CENTER": "不存在的中心"})
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (
        "ippc kb: knowledge base: IPPC_CENTER: setting: '不存在的中心' names no center "
        "of the knowledge base"
    )


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            "as_of: '2021-01-18'",
            "as_of: '2999-01-18'",
            "centers[0].as_of: 2999-01-18 is in the future",
        ),
        ("  - 光电子信息\n", "  - 量子光学\n", "fields: '量子光学' is reached by no field"),
        (
            "  province: 江苏\n  city: 苏州",
            "  province: 浙江\n  city: 苏州",
            "a center in two provinces",
        ),
    ],
)
def test_a_contradictory_file_stops_training(
    tmp_path: Path, old: str, new: str, reason: str
) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    path = knowledge / "centers_more.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    models = tmp_path / "models"
    result = _ippc(
        "train", env={"IPPC_KNOWLEDGE_DIR": str(knowledge), "IPPC_MODELS_DIR": str(models)}
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ippc train: knowledge base: centers_more.yml:")
    assert reason in lines[0]
    assert not models.exists() or not any(models.iterdir())
