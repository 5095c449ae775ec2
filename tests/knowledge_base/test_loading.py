"""Loading and validation: the shipped data loads and matches the shared knowledge; broken
files are reported with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.paths import PROJECT_ROOT
from knowledge_base.base import KnowledgeBase
from knowledge_base.errors import KnowledgeBaseError

SHARED_CENTERS = PROJECT_ROOT.parent / "shared" / "knowledge" / "centers.yml"


def test_shipped_data_loads(kb: KnowledgeBase) -> None:
    assert len(kb.centers()) >= 11
    assert {"发明", "实用新型", "外观设计"} == set(kb.patent_types)
    assert all(fact.source for fact in kb.facts.values())


@pytest.mark.skipif(not SHARED_CENTERS.exists(), reason="shared/ not beside the checkout")
def test_centers_match_the_shared_table(kb: KnowledgeBase) -> None:
    shared = yaml.safe_load(SHARED_CENTERS.read_text(encoding="utf-8"))["centers"]
    ours = [(c.name, c.province, c.city, list(c.table_fields)) for c in kb.centers()]
    assert ours == [(c["name"], c["province"], c["city"], c["fields"]) for c in shared]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_missing_field_names_file_line_and_field(kb_copy: Path) -> None:
    path = kb_copy / "centers.yml"
    _edit(path, "{name: 上海知识产权保护中心, ", "{")
    line = _line_of(path, "province: 上海")
    with pytest.raises(KnowledgeBaseError) as error:
        KnowledgeBase.load(kb_copy)
    assert str(error.value) == f"centers.yml:{line}: centers[1].name: is required"


def test_yaml_syntax_error_is_one_line_with_position(kb_copy: Path) -> None:
    path = kb_copy / "fields.yml"
    _edit(path, "  - name: 新材料\n", "  - name: [新材料\n")
    with pytest.raises(KnowledgeBaseError) as error:
        KnowledgeBase.load(kb_copy)
    message = str(error.value)
    assert message.startswith("fields.yml:") and ": yaml: " in message
    assert "\n" not in message


def test_unknown_fact_in_an_answer(kb_copy: Path) -> None:
    _edit(kb_copy / "answers.yml", "{fact:preexam_timing}", "{fact:no_such_fact}")
    with pytest.raises(KnowledgeBaseError, match=r"answers\.yml:\d+: .*text: unknown fact"):
        KnowledgeBase.load(kb_copy)


def test_policy_answer_must_cite_a_fact(kb_copy: Path) -> None:
    _edit(kb_copy / "answers.yml", 'text: "{fact:preexam_timing}"', 'text: "很快"')
    with pytest.raises(KnowledgeBaseError, match="must cite at least one"):
        KnowledgeBase.load(kb_copy)


def test_duplicate_keys_are_refused(kb_copy: Path) -> None:
    _edit(kb_copy / "center_info.yml", "sample: true\n", "sample: true\nsample: false\n")
    with pytest.raises(KnowledgeBaseError, match="duplicate key"):
        KnowledgeBase.load(kb_copy)


def test_bad_working_hours(kb_copy: Path) -> None:
    _edit(kb_copy / "center_info.yml", '"09:00-12:00"', '"9点到12点"')
    with pytest.raises(KnowledgeBaseError, match=r"working_hours\.periods: .*HH:MM-HH:MM"):
        KnowledgeBase.load(kb_copy)


def test_dispute_route_with_unknown_option(kb_copy: Path) -> None:
    _edit(kb_copy / "disputes.yml", "when: {place: [展会]}", "when: {place: [月球]}")
    with pytest.raises(KnowledgeBaseError, match="unknown option '月球'"):
        KnowledgeBase.load(kb_copy)


def test_file_that_is_not_utf8(kb_copy: Path) -> None:
    (kb_copy / "facts.yml").write_bytes("facts: 中文".encode("gbk"))
    with pytest.raises(KnowledgeBaseError, match="facts.yml: file: not UTF-8"):
        KnowledgeBase.load(kb_copy)


def test_missing_file(kb_copy: Path) -> None:
    (kb_copy / "regions.yml").unlink()
    with pytest.raises(KnowledgeBaseError, match="regions.yml: file: not found"):
        KnowledgeBase.load(kb_copy)
