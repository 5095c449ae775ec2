"""Loading and validation: the shipped data loads and matches the shared knowledge; broken
files are reported with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.paths import KNOWLEDGE_DIR, PROJECT_ROOT
from knowledge_base.base import KnowledgeBase
from knowledge_base.errors import KnowledgeBaseError

SHARED = PROJECT_ROOT.parent / "shared" / "knowledge"
SHARED_CENTERS = SHARED / "centers.yml"


def test_shipped_data_loads(kb: KnowledgeBase) -> None:
    assert len(kb.centers()) == 39
    assert {"发明", "实用新型", "外观设计"} == set(kb.patent_types)
    assert all(fact.source for fact in kb.facts.values())


@pytest.mark.skipif(not SHARED_CENTERS.exists(), reason="shared/ not beside the checkout")
@pytest.mark.parametrize("name", ["centers.yml", "centers_more.yml"])
def test_center_files_are_copies_of_the_shared_knowledge(name: str) -> None:
    assert (KNOWLEDGE_DIR / name).read_bytes() == (SHARED / name).read_bytes()


@pytest.mark.skipif(not SHARED_CENTERS.exists(), reason="shared/ not beside the checkout")
def test_centers_match_the_shared_tables(kb: KnowledgeBase) -> None:
    shared = [
        c
        for name in ("centers.yml", "centers_more.yml")
        for c in yaml.safe_load((SHARED / name).read_text(encoding="utf-8"))["centers"]
    ]
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
    _edit(kb_copy / "answers.yml", 'text: "{fact:preexam_timing}"\n', 'text: "很快"\n')
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


def test_a_center_in_two_provinces(kb_copy: Path) -> None:
    path = kb_copy / "centers_more.yml"
    _edit(path, "  province: 江苏\n  city: 苏州", "  province: 浙江\n  city: 苏州")
    line = _line_of(path, "name: 中国（苏州）")
    with pytest.raises(KnowledgeBaseError) as error:
        KnowledgeBase.load(kb_copy)
    assert str(error.value).startswith(f"centers_more.yml:{line}: province: ")
    assert "a center in two provinces" in str(error.value)


def test_a_center_listed_in_both_files(kb_copy: Path) -> None:
    path = kb_copy / "centers_more.yml"
    _edit(path, "- name: 中国（福建）知识产权保护中心", "- name: 上海知识产权保护中心")
    with pytest.raises(KnowledgeBaseError, match=r"centers_more\.yml:\d+: name: .*also listed"):
        KnowledgeBase.load(kb_copy)


def test_a_field_no_synonym_reaches(kb_copy: Path) -> None:
    path = kb_copy / "centers_more.yml"
    _edit(path, "  - 光电子信息\n", "  - 量子光学\n")
    line = _line_of(path, "  - 量子光学") - 1
    with pytest.raises(KnowledgeBaseError) as error:
        KnowledgeBase.load(kb_copy)
    assert str(error.value) == (
        f"centers_more.yml:{line}: fields: '量子光学' is reached by no field of fields.yml "
        "(add it to a field's table_fields)"
    )


def test_an_as_of_in_the_future(kb_copy: Path) -> None:
    path = kb_copy / "centers_more.yml"
    _edit(path, "as_of: '2021-01-18'", "as_of: '2999-01-18'")
    line = _line_of(path, "2999-01-18")
    with pytest.raises(KnowledgeBaseError) as error:
        KnowledgeBase.load(kb_copy)
    assert (
        str(error.value)
        == f"centers_more.yml:{line}: centers[0].as_of: 2999-01-18 is in the future"
    )


def test_a_product_under_two_fields(kb_copy: Path) -> None:
    _edit(kb_copy / "products.yml", "互联网: [在线教育,", "互联网: [芯片, 在线教育,")
    with pytest.raises(KnowledgeBaseError, match=r"products\.yml:\d+: products\.互联网: '芯片'"):
        KnowledgeBase.load(kb_copy)


def test_a_place_in_two_provinces(kb_copy: Path) -> None:
    _edit(kb_copy / "regions.yml", "cities: [石家庄,", "cities: [苏州, 石家庄,")
    with pytest.raises(KnowledgeBaseError, match=r"regions\.yml:\d+: .*'苏州' is also listed"):
        KnowledgeBase.load(kb_copy)


def test_ippc_center_must_name_a_center(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPPC_CENTER", "火星知识产权保护中心")
    with pytest.raises(KnowledgeBaseError, match="IPPC_CENTER: setting: .*names no center"):
        KnowledgeBase.load(kb_copy)
    monkeypatch.setenv("IPPC_CENTER", "苏州中心")
    assert KnowledgeBase.load(kb_copy).own_center().name == "中国（苏州）知识产权保护中心"
