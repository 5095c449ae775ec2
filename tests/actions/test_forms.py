"""Form validation of the eligibility and dispute forms, without a Rasa server."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.dispute import ValidateDisputeForm
from actions.fasttrack import (
    ActionAnswerEligibility,
    ActionAskTechField,
    ValidateFasttrackEligibilityForm,
)
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


async def test_dispute_form_takes_a_correction_of_an_earlier_answer() -> None:
    """Issue 13: an answer given again changes the earlier one ("不对，是展会上")."""
    form = ValidateDisputeForm()
    asked_goal = {"place": "线下", "right_type": "商标", "requested_slot": "goal"}
    correction = tracker("不对，是展会上", intent="nlu_fallback", confidence=0.3, slots=asked_goal)
    assert await form.extract_place(CollectingDispatcher(), correction, {}) == {"place": "展会"}
    bare = tracker("展会", intent="dispute_routes", slots=asked_goal)
    assert await form.extract_place(CollectingDispatcher(), bare, {}) == {"place": "展会"}
    negated = tracker("不是商标，是专利", intent="greet", confidence=0.6, slots=asked_goal)
    assert await form.extract_right_type(CollectingDispatcher(), negated, {}) == {
        "right_type": "专利"
    }
    asked = tracker("展会", slots={"place": None, "requested_slot": "place"})
    assert await form.extract_place(CollectingDispatcher(), asked, {}) == {"place": "展会"}


async def test_dispute_form_leaves_a_new_question_to_the_rules() -> None:
    form = ValidateDisputeForm()
    asked_place = {"right_type": "商标", "requested_slot": "place"}
    question = tracker("专利侵权的证据怎么固定", intent="dispute_evidence", slots=asked_place)
    assert await form.extract_place(CollectingDispatcher(), question, {}) == {}
    other = tracker("你们电话多少，专利的事", intent="center_contact", slots=asked_place)
    assert await form.extract_right_type(CollectingDispatcher(), other, {}) == {}


async def test_a_new_dispute_starts_from_scratch_but_a_correction_keeps_the_rest() -> None:
    form = ValidateDisputeForm()
    done = {"right_type": "专利", "place": "线下", "goal": "停止侵权", "requested_slot": None}
    new = tracker("有人在淘宝卖假货，想维权", intent="dispute_routes", slots=done)
    assert await form.extract_right_type(CollectingDispatcher(), new, {}) == {"right_type": None}
    assert await form.extract_place(CollectingDispatcher(), new, {}) == {"place": "电商平台"}
    fix = tracker("不是专利，是商标", intent="dispute_routes", slots=done)
    assert await form.extract_right_type(CollectingDispatcher(), fix, {}) == {"right_type": "商标"}
    assert await form.extract_place(CollectingDispatcher(), fix, {}) == {}


async def test_eligibility_takes_named_values_whatever_the_intent() -> None:
    form = ValidateFasttrackEligibilityForm()
    asked = {"requested_slot": "patent_type", "region": "北京", "tech_field": "高端装备制造"}
    fix = tracker(
        "说错了，我们在上海", intent="greet", confidence=0.57, slots=asked,
        entities=[entity("region", "上海", 7, 9)],
    )  # fmt: skip
    assert await form.extract_region(CollectingDispatcher(), fix, {}) == {"region": "上海"}
    negated = tracker(
        "不是深圳，是广州", intent="bot_identity", confidence=0.35, slots=asked,
        entities=[entity("region", "深圳", 2, 4), entity("region", "广州", 6, 8)],
    )  # fmt: skip
    assert await form.extract_region(CollectingDispatcher(), negated, {}) == {"region": "广州"}
    reverse = tracker(
        "是广州，不是深圳", intent="nlu_fallback", slots=asked,
        entities=[entity("region", "广州", 1, 3), entity("region", "深圳", 6, 8)],
    )  # fmt: skip
    assert form.validate_region(["广州", "深圳"], CollectingDispatcher(), reverse, {}) == {
        "region": "广州"
    }
    kind = tracker("改成实用新型", intent="fasttrack_overview", slots=asked,
                   entities=[entity("patent_type", "实用新型", 2, 6)])  # fmt: skip
    assert await form.extract_patent_type(CollectingDispatcher(), kind, {}) == {
        "patent_type": "实用新型"
    }


async def test_eligibility_free_text_field_never_takes_a_stop_or_a_place() -> None:
    form = ValidateFasttrackEligibilityForm()
    asked = {"requested_slot": "tech_field"}
    stop = tracker("算了，预审怎么收费", intent="nlu_fallback", confidence=0.3, slots=asked)
    assert await form.extract_tech_field(CollectingDispatcher(), stop, {}) == {}
    place = tracker("我们在广州", intent="nlu_fallback", slots=asked,
                    entities=[entity("region", "广州", 3, 5)])  # fmt: skip
    assert await form.extract_tech_field(CollectingDispatcher(), place, {}) == {}


async def test_a_question_that_names_a_product_does_not_change_the_field() -> None:
    """ "你是机器人吗" while the patent type is asked: 机器人 is a product word, but the user
    asks who answers, and the field given before stays."""
    form = ValidateFasttrackEligibilityForm()
    asked = {"requested_slot": "patent_type", "region": "深圳", "tech_field": "新能源"}
    question = tracker("你是机器人吗", intent="bot_identity", confidence=0.95, slots=asked,
                       entities=[entity("tech_field", "高端装备制造", 2, 5)])  # fmt: skip
    assert await form.extract_tech_field(CollectingDispatcher(), question, {}) == {}
    bare = tracker("机器人", intent="nlu_fallback", confidence=0.3, slots=asked,
                   entities=[entity("tech_field", "高端装备制造", 0, 3)])  # fmt: skip
    assert await form.extract_tech_field(CollectingDispatcher(), bare, {}) == {
        "tech_field": "高端装备制造"
    }


def test_an_unknown_product_is_kept_and_the_field_asked_with_buttons() -> None:
    form = ValidateFasttrackEligibilityForm()
    first = tracker("做扫地机的", slots={"requested_slot": "tech_field", "region": "苏州"})
    assert form.validate_tech_field("做扫地机的", CollectingDispatcher(), first, {}) == {
        "tech_field": None,
        "product": "做扫地机的",
    }
    # a field from the buttons is taken and the product forgotten
    chosen = tracker("高端装备制造", slots={"product": "做扫地机的"},
                     entities=[entity("tech_field", "高端装备制造", 0, 6)])  # fmt: skip
    assert form.validate_tech_field("高端装备制造", CollectingDispatcher(), chosen, {}) == {
        "tech_field": "高端装备制造",
        "product": None,
    }
    # "都不是" keeps what the user first said; a second unknown answer is kept as typed
    neither = tracker("都不是", slots={"product": "做扫地机的"})
    assert form.validate_tech_field("都不是", CollectingDispatcher(), neither, {}) == {
        "tech_field": "做扫地机的",
        "product": None,
    }
    again = tracker("家用电器", slots={"product": "做扫地机的"})
    assert form.validate_tech_field("家用电器", CollectingDispatcher(), again, {})["tech_field"]


async def test_the_second_field_question_offers_the_regions_fields() -> None:
    dispatcher = CollectingDispatcher()
    asked = tracker("做扫地机的", slots={"product": "做扫地机的", "region": "苏州"})
    await ActionAskTechField().run(dispatcher, asked, {})
    message = dispatcher.messages[0]
    assert "扫地机" in message["text"] and "苏州" in message["text"]
    titles = [b["title"] for b in message["buttons"]]
    assert len(titles) >= 2 and titles[-1] == "都不是"


async def test_the_none_of_these_button_is_an_answer_whatever_its_intent() -> None:
    form = ValidateFasttrackEligibilityForm()
    button = tracker("都不是", intent="out_of_scope", confidence=0.95,
                     slots={"requested_slot": "tech_field", "product": "扫地机"})  # fmt: skip
    assert await form.extract_tech_field(CollectingDispatcher(), button, {}) == {
        "tech_field": "都不是"
    }
