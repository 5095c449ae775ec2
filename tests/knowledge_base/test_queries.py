"""Queries: normalisation of fields, regions, centers and patent types; centers by region
and field; a center added to the YAML is understood with no other edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.base import KnowledgeBase
from nlu.components.entity_ruler import build_pipeline
from nlu.dictionary import dictionary_lines, load_lines


@pytest.mark.parametrize(
    ("word", "field"),
    [
        ("人工智能", "新一代信息技术"),
        ("集成电路", "新一代信息技术"),
        ("软件", "新一代信息技术"),
        ("锂电", "新能源"),
        ("光伏", "新能源"),
        ("生物制药", "生物医药"),
        ("生物", "生物医药"),
        ("高端装备", "高端装备制造"),
        ("装备制造", "高端装备制造"),
        ("新型功能和结构材料", "新材料"),
        ("珠宝加工", "珠宝加工"),
        ("做奶茶", None),
    ],
)
def test_field_normalisation(kb: KnowledgeBase, word: str, field: str | None) -> None:
    assert kb.normalise_field(word) == field


def test_regions(kb: KnowledgeBase) -> None:
    shenzhen = kb.region("深圳市")
    assert (shenzhen.name, shenzhen.province, shenzhen.is_city) == ("深圳", "广东", True)
    assert kb.region("广东省").name == "广东"
    assert kb.region("苏州").province == "江苏"
    assert kb.region("火星") is None


def test_center_aliases_and_patent_types(kb: KnowledgeBase) -> None:
    assert kb.normalise_center("深圳中心") == "深圳知识产权保护中心"
    assert kb.normalise_center("广东省知识产权保护中心") == "广东知识产权保护中心"
    assert kb.normalise_patent_type("外观专利") == "外观设计"
    assert kb.normalise_patent_type("实用新型专利") == "实用新型"


def test_centers_serving_a_city_include_province_wide_ones(kb: KnowledgeBase) -> None:
    names = [c.name for c in kb.centers_serving(kb.region("深圳"))]
    assert names == ["广东知识产权保护中心", "深圳知识产权保护中心"]
    province = [c.name for c in kb.centers_serving(kb.region("广东"))]
    assert "广州知识产权保护中心" in province


def test_centers_with_a_field_use_the_table_wording(kb: KnowledgeBase) -> None:
    centers = {c.name: c for c in kb.centers_with_field("高端装备制造")}
    assert set(centers) == {
        "北京知识产权保护中心",
        "杭州知识产权保护中心",
        "江苏知识产权保护中心",
        "广州知识产权保护中心",
        "深圳知识产权保护中心",
        "四川知识产权保护中心",
    }
    assert "高端装备" in centers["江苏知识产权保护中心"].table_fields


def test_a_new_center_and_field_are_understood(kb_copy: Path) -> None:
    centers = kb_copy / "centers.yml"
    centers.write_text(
        centers.read_text(encoding="utf-8")
        + "  - {name: 合肥知识产权保护中心, province: 安徽, city: 合肥, fields: [量子信息]}\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(kb_copy)
    assert kb.normalise_center("合肥中心") == "合肥知识产权保护中心"
    assert [c.name for c in kb.centers_with_field("量子信息")] == ["合肥知识产权保护中心"]
    assert kb.region("合肥").province == "安徽"
    load_lines(dictionary_lines(kb))
    nlp = build_pipeline(
        [{"label": label, "pattern": term, "id": value} for label, term, value in kb.entity_terms()]
    )
    found = {(e.label_, e.ent_id_) for e in nlp("合肥做量子信息的企业能找合肥中心预审吗").ents}
    assert found == {
        ("region", "合肥"),
        ("tech_field", "量子信息"),
        ("center", "合肥知识产权保护中心"),
    }
