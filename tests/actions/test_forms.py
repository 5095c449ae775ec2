"""Form validation of the eligibility and dispute forms, without a Rasa server."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.dispute import ValidateDisputeForm
from actions.fasttrack import ActionAnswerEligibility, ValidateFasttrackEligibilityForm
from tests.actions.helpers import entity, tracker

SLOTS = ["region", "tech_field", "patent_type"]


async def test_a_question_about_one_center_needs_no_slots() -> None:
    form = ValidateFasttrackEligibilityForm()
    asking = tracker("上海中心能预审什么", entities=[entity("center", "上海知识产权保护中心")])
    assert await form.required_slots(SLOTS, CollectingDispatcher(), asking, {}) == []
    matching = tracker("深圳中心能预审锂电吗", entities=[
        entity("center", "深圳知识产权保护中心"), entity("tech_field", "新能源")
    ])  # fmt: skip
    assert await form.required_slots(SLOTS, CollectingDispatcher(), matching, {}) == SLOTS


async def test_answer_for_a_center_lists_its_fields() -> None:
    dispatcher = CollectingDispatcher()
    asking = tracker("杭州中心的预审领域", entities=[entity("center", "杭州知识产权保护中心")])
    await ActionAnswerEligibility().run(dispatcher, asking, {})
    assert "杭州知识产权保护中心的预审领域：高端装备制造" in dispatcher.messages[0]["text"]


async def test_free_text_field_only_when_asked_and_not_another_question() -> None:
    form = ValidateFasttrackEligibilityForm()
    asked = {"requested_slot": "tech_field"}
    answer = tracker("做奶茶机的", intent="fasttrack_eligibility", slots=asked)
    assert await form.extract_tech_field(CollectingDispatcher(), answer, {}) == {
        "tech_field": "做奶茶机的"
    }
    other = tracker("预审要收费吗", intent="fasttrack_fee", confidence=0.95, slots=asked)
    assert await form.extract_tech_field(CollectingDispatcher(), other, {}) == {}
    not_asked = tracker("做奶茶机的", slots={"requested_slot": "region"})
    assert await form.extract_tech_field(CollectingDispatcher(), not_asked, {}) == {}


async def test_unsure_patent_type() -> None:
    form = ValidateFasttrackEligibilityForm()
    unsure = tracker("还不确定", slots={"requested_slot": "patent_type"})
    assert await form.extract_patent_type(CollectingDispatcher(), unsure, {}) == {
        "patent_type": "不限"
    }


def test_region_prefers_the_city_and_refuses_unknown_places() -> None:
    form = ValidateFasttrackEligibilityForm()
    dispatcher = CollectingDispatcher()
    assert form.validate_region(["广东", "深圳"], dispatcher, tracker("广东深圳"), {}) == {
        "region": "深圳"
    }
    assert form.validate_region("火星", dispatcher, tracker("火星"), {}) == {"region": None}
    assert "没能识别" in dispatcher.messages[0]["text"]


def test_patent_type_must_be_known() -> None:
    form = ValidateFasttrackEligibilityForm()
    dispatcher = CollectingDispatcher()
    assert form.validate_patent_type("发明", dispatcher, tracker("发明"), {}) == {
        "patent_type": "发明"
    }
    assert form.validate_patent_type("商标", dispatcher, tracker("商标"), {}) == {
        "patent_type": None
    }


async def test_dispute_form_fills_every_answer_in_one_message() -> None:
    form = ValidateDisputeForm()
    first = tracker("有人在拼多多上卖仿冒我们商标的货，想让他们赔偿", intent="dispute_routes")
    dispatcher = CollectingDispatcher()
    assert await form.extract_right_type(dispatcher, first, {}) == {"right_type": "商标"}
    assert await form.extract_place(dispatcher, first, {}) == {"place": "电商平台"}
    assert await form.extract_goal(dispatcher, first, {}) == {"goal": "获得赔偿"}


async def test_dispute_form_keeps_earlier_answers_unless_asked_again() -> None:
    form = ValidateDisputeForm()
    later = tracker("展会", slots={"place": "线下", "requested_slot": "goal"})
    assert await form.extract_place(CollectingDispatcher(), later, {}) == {}
    asked = tracker("展会", slots={"place": None, "requested_slot": "place"})
    assert await form.extract_place(CollectingDispatcher(), asked, {}) == {"place": "展会"}
