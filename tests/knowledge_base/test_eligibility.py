"""Who serves a place and who can use pre-examination: composed from both centers files."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.eligibility import answer_eligibility, center_scope, short_verdict
from knowledge_base.places import ask_field, serving_text


def _answer(kb: KnowledgeBase, place: str, word: str) -> str:
    return answer_eligibility(kb, kb.region(place), kb.normalise_field(word) or word, None)


def test_eligible_city_and_field(kb: KnowledgeBase) -> None:
    text = _answer(kb, "深圳", "新能源")
    assert text.startswith("可以申请")
    assert "深圳知识产权保护中心" in text and "广东知识产权保护中心" not in text
    assert "约3个月" in text and "备案" in text and text.splitlines()[-1].startswith("来源：")


def test_a_center_of_the_dated_file_with_its_date_and_translation_mark(kb: KnowledgeBase) -> None:
    text = _answer(kb, "大连", "新能源")
    assert "大连知识产权保护中心" in text and "2022年1月公布" in text
    assert "非官方表述" in text and "向中心确认" in text and "mondaq.com" in text


def test_city_without_a_center_is_served_by_its_province(kb: KnowledgeBase) -> None:
    text = serving_text(kb, kb.region("佛山"))
    assert "广东知识产权保护中心" in text and "广东全省" in text
    assert "深圳知识产权保护中心" not in text


def test_a_city_gets_its_own_and_its_province_center(kb: KnowledgeBase) -> None:
    text = serving_text(kb, kb.region("苏州"))
    assert "苏州知识产权保护中心" in text and "江苏知识产权保护中心" in text
    assert "本市中心和省级中心都可以" in text
    assert [c.name for c in kb.centers_serving(kb.region("昆山"))] == [
        "江苏知识产权保护中心",
        "中国（苏州）知识产权保护中心",
    ]


def test_place_with_no_listed_center(kb: KnowledgeBase) -> None:
    text = _answer(kb, "长沙", "芯片")
    assert "不在我们的名单里" in text and "77家" in text and "12330" in text and "12345" in text
    assert "湖南" in text and "知识产权保护中心（服务地区" not in text
    assert text.splitlines()[-1].startswith("来源：")


def test_centers_elsewhere_are_said_to_take_only_their_area(kb: KnowledgeBase) -> None:
    text = _answer(kb, "佛山", "新材料")
    assert "广东知识产权保护中心" in text and "上海知识产权保护中心" in text
    assert "只受理各自地区的申请人" in text


def test_product_words_reach_a_field(kb: KnowledgeBase) -> None:
    text = answer_eligibility(kb, kb.region("南京"), "光伏组件", None)
    assert "「新能源」" in text and "南京" in text
    ceramics = _answer(kb, "景德镇", "陶瓷")
    assert ceramics.startswith("可以申请") and "写作「陶瓷材料」" in ceramics


def test_unrecognised_field(kb: KnowledgeBase) -> None:
    text = _answer(kb, "北京", "做奶茶的")
    assert "暂未识别「做奶茶的」" in text and "北京知识产权保护中心" in text


def test_unknown_product_gets_the_fields_of_the_place_as_buttons(kb: KnowledgeBase) -> None:
    text, buttons = ask_field(kb, kb.region("苏州"))
    titles = [b["title"] for b in buttons]
    assert "苏州" in text and {"新材料", "生物医药", "高端装备制造", "新一代信息技术"} <= set(
        titles
    )
    assert "海洋科技" not in titles and titles[-1] == "都不是"
    anywhere, all_buttons = ask_field(kb, None)
    assert len(all_buttons) == len(kb.fields) + 1 and anywhere


def test_center_scope_uses_the_formal_name_once(kb: KnowledgeBase) -> None:
    text = center_scope(kb, kb.center("苏州保护中心"))
    assert text.startswith("苏州知识产权保护中心的预审领域：新材料")
    assert "全称：中国（苏州）知识产权保护中心" in text and "向中心确认" in text
    seed = center_scope(kb, kb.center("上海中心"))
    assert "新材料、节能环保" in seed and "上海全市" in seed and "公布" not in seed


def test_short_verdict(kb: KnowledgeBase) -> None:
    assert "深圳知识产权保护中心" in short_verdict(kb, kb.region("深圳市"), "新能源")
    assert "暂时没有「海洋科技」" in short_verdict(kb, kb.region("苏州"), "海洋科技")
    assert "还没有服务长沙" in short_verdict(kb, kb.region("长沙"), "新能源")
    assert short_verdict(kb, None, "新能源") is None


def test_your_center_without_and_with_ippc_center(monkeypatch) -> None:
    from knowledge_base.base import KnowledgeBase
    from knowledge_base.eligibility import own_center_answer, refers_to_own_center

    monkeypatch.delenv("IPPC_CENTER", raising=False)
    kb = KnowledgeBase.load()
    assert "全国性的咨询助手" in own_center_answer(kb)
    assert refers_to_own_center(kb, "你们中心能预审芯片吗")
    assert not refers_to_own_center(kb, "苏州中心能预审芯片吗")
    monkeypatch.setenv("IPPC_CENTER", "中国（宁德）知识产权保护中心")
    assert own_center_answer(kb).startswith("宁德知识产权保护中心的预审领域：新能源")
