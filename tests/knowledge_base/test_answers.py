"""Answers: every one names its source or says it is sample data; eligibility and dispute
answers are composed from the tables."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.disputes import (
    describe_recommendation,
    match_option,
    recommend_routes,
    routes_overview,
)
from knowledge_base.eligibility import answer_eligibility, center_scope, short_verdict
from knowledge_base.rasa_export import knowledge_responses

PAPER = "浅析知识产权快速协同保护体系"


def test_every_generated_answer_shows_its_source_or_sample_mark(kb: KnowledgeBase) -> None:
    responses = knowledge_responses(kb)
    for key, answer in kb.answers.items():
        text = responses[f"utter_{key}"][0]["text"]
        assert "{fact:" not in text
        if answer.kind == "policy":
            assert f"来源：《{PAPER}" in text, key
        elif answer.kind == "sample":
            assert "示例内容" in text, key
        else:
            assert "不构成法律意见" in text, key


def test_timing_facts_are_stated_as_the_source_says(kb: KnowledgeBase) -> None:
    text = kb.render_answer("fasttrack_process/grant_time")
    assert "22个月" in text and "3个月" in text and "1个月" in text


def test_eligible_city_and_field(kb: KnowledgeBase) -> None:
    text = answer_eligibility(kb, kb.region("深圳"), "新能源", "发明")
    assert text.startswith("可以申请")
    assert "深圳知识产权保护中心" in text and "广东知识产权保护中心" not in text
    assert "约3个月" in text and "备案" in text and "来源：" in text


def test_field_outside_the_local_scope_names_alternatives(kb: KnowledgeBase) -> None:
    text = answer_eligibility(kb, kb.region("苏州"), "生物医药", None)
    assert "不包含「生物医药」" in text
    assert "江苏知识产权保护中心" in text  # the local one, with its fields
    assert "南京知识产权保护中心" in text  # an alternative elsewhere


def test_region_without_a_listed_center(kb: KnowledgeBase) -> None:
    text = answer_eligibility(kb, kb.region("湖南"), "新材料", None)
    assert "表中暂未列出服务湖南的保护中心" in text and "上海知识产权保护中心" in text


def test_unrecognised_field(kb: KnowledgeBase) -> None:
    text = answer_eligibility(kb, kb.region("北京"), "做奶茶的", None)
    assert "暂未识别「做奶茶的」" in text and "北京知识产权保护中心" in text


def test_center_scope(kb: KnowledgeBase) -> None:
    text = center_scope(kb, kb.center("上海中心"))
    assert "新材料、节能环保" in text and "上海" in text


def test_dispute_options_from_free_text(kb: KnowledgeBase) -> None:
    assert match_option(kb, "place", "在拼多多上看到的") == "电商平台"
    # Negation in both word orders (issue 13): the earliest keyword must not simply win.
    assert match_option(kb, "right_type", "商标被人用了，不是专利") == "商标"
    assert match_option(kb, "right_type", "不是专利，是商标被人用了") == "商标"
    assert match_option(kb, "right_type", "专利被人用了，不是商标") == "专利"
    assert match_option(kb, "goal", "想让他们赔钱") == "获得赔偿"
    assert match_option(kb, "place", "随便") is None


def test_dispute_routes_follow_the_situation(kb: KnowledgeBase) -> None:
    online = [r.id for r in recommend_routes(kb, "专利", "电商平台", "停止侵权")]
    assert online[:2] == ["assessment", "ecommerce_complaint"]
    assert "administrative_ruling" in online and "arbitration" not in online
    overseas = [r.id for r in recommend_routes(kb, "商标", "海外", "应对被控侵权")]
    assert "overseas_guidance" in overseas and "administrative_ruling" not in overseas
    text = describe_recommendation(kb, "专利", "电商平台", "停止侵权")
    assert "电商平台投诉" in text and "取证提示" in text and "不构成法律意见" in text


def test_short_verdict_names_the_center_before_the_last_question(kb: KnowledgeBase) -> None:
    assert "深圳知识产权保护中心" in short_verdict(kb, kb.region("深圳市"), "新能源")
    assert "暂时没有「生物医药」" in short_verdict(kb, kb.region("苏州"), "生物医药")
    assert short_verdict(kb, None, "新能源") is None


def test_routes_overview_names_every_route(kb: KnowledgeBase) -> None:
    text = routes_overview(kb)
    assert all(route.name in text for route in kb.disputes.routes)
