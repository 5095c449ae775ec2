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
        # products and technologies as people say them (products.yml)
        ("无人机", "高端装备制造"),
        ("芯片", "新一代信息技术"),
        ("锂电池", "新能源"),
        ("机器人", "高端装备制造"),
        ("疫苗", "生物医药"),
        ("医疗器械", "生物医药"),
        ("新能源汽车", "新能源"),
        ("陶瓷", "新材料"),
        ("食品", "现代食品"),
        ("葡萄酒", "现代食品"),
        ("化工", "绿色化工"),
        ("种子", "现代农业"),
        ("汽车零部件", "汽车制造"),
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


@pytest.mark.parametrize(
    "form",
    [
        "苏州中心",
        "苏州保护中心",
        "苏州知识产权保护中心",
        "中国（苏州）知识产权保护中心",
        "中国(苏州)知识产权保护中心",
        "苏州市知识产权保护中心",
        "苏州知保中心",
    ],
)
def test_every_usual_form_of_a_center_name(kb: KnowledgeBase, form: str) -> None:
    assert kb.normalise_center(form) == "中国（苏州）知识产权保护中心"


def test_every_center_city_resolves_to_its_centers(kb: KnowledgeBase) -> None:
    for center in kb.centers():
        region = kb.region(center.city or center.province)
        assert region is not None, center.name
        serving = kb.centers_serving(region)
        assert center in serving, center.name
        province_level = [
            c for c in kb.centers() if c.province == center.province and c.province_level
        ]
        assert all(c in serving for c in province_level), center.name


def test_a_district_of_a_municipality(kb: KnowledgeBase) -> None:
    names = [c.short_name for c in kb.centers_serving(kb.region("浦东新区"))]
    assert names == ["上海知识产权保护中心", "浦东知识产权保护中心"]


def test_center_aliases_and_patent_types(kb: KnowledgeBase) -> None:
    assert kb.normalise_center("深圳中心") == "深圳知识产权保护中心"
    assert kb.normalise_center("广东省知识产权保护中心") == "广东知识产权保护中心"
    assert kb.normalise_patent_type("外观专利") == "外观设计"
    assert kb.normalise_patent_type("实用新型专利") == "实用新型"


def test_centers_serving_a_city_include_province_wide_ones(kb: KnowledgeBase) -> None:
    names = [c.name for c in kb.centers_serving(kb.region("深圳"))]
    assert names == ["广东知识产权保护中心", "深圳知识产权保护中心"]
    assert [c.name for c in kb.centers_serving(kb.region("佛山"))] == ["广东知识产权保护中心"]
    province = [c.name for c in kb.centers_serving(kb.region("广东"))]
    assert "广州知识产权保护中心" in province


def test_centers_with_a_field_use_the_table_wording(kb: KnowledgeBase) -> None:
    centers = {c.name: c for c in kb.centers_with_field("高端装备制造")}
    assert {
        "北京知识产权保护中心",
        "杭州知识产权保护中心",
        "江苏知识产权保护中心",
        "广州知识产权保护中心",
        "深圳知识产权保护中心",
        "四川知识产权保护中心",
        "中国（大连）知识产权保护中心",
        "湘潭市知识产权保护中心",
    } <= set(centers)
    assert "高端装备" in centers["江苏知识产权保护中心"].table_fields


def test_a_new_center_and_field_are_understood(kb_copy: Path) -> None:
    centers = kb_copy / "centers.yml"
    centers.write_text(
        centers.read_text(encoding="utf-8")
        + "  - {name: 合肥知识产权保护中心, province: 安徽, city: 合肥, fields: [量子信息]}\n",
        encoding="utf-8",
    )
    fields = kb_copy / "fields.yml"
    fields.write_text(
        fields.read_text(encoding="utf-8") + "  - name: 量子信息\n    table_fields: [量子信息]\n",
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
