"""The dispute flow's logic read from disputes.yml (moved from test_answers.py)."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.disputes import (
    describe_recommendation,
    match_option,
    recommend_routes,
    routes_overview,
)


def test_dispute_options_from_free_text(kb: KnowledgeBase) -> None:
    assert match_option(kb, "place", "在拼多多上看到的") == "电商平台"
    assert match_option(kb, "right_type", "商标被人用了，不是专利") == "商标"
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


def test_routes_overview_names_every_route(kb: KnowledgeBase) -> None:
    text = routes_overview(kb)
    assert all(route.name in text for route in kb.disputes.routes)
