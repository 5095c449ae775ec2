"""Whole conversations through the REST channel of a running assistant (``ippc run``)."""

from __future__ import annotations

import uuid
from functools import cache

import pytest
import yaml

from core.paths import PROJECT_ROOT
from knowledge_base.base import get_knowledge_base
from tests.conftest import LiveAssistant, log_errors

pytestmark = pytest.mark.model
DOMAIN = PROJECT_ROOT / "bot" / "domain"


@cache
def response_texts(name: str) -> tuple[str, ...]:
    """The texts of one of the domain's responses (each variation), as the bot says them."""
    for path in sorted(DOMAIN.rglob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        if name in responses:
            return tuple(variation["text"] for variation in responses[name])
    raise KeyError(f"no response {name} in {DOMAIN}")


def new_user() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_greeting_offers_the_main_services(live_assistant: LiveAssistant) -> None:
    replies = live_assistant.say(new_user(), "你好呀")
    assert "智能助手" in replies[0]["text"]
    assert len(replies[0]["buttons"]) >= 3


def test_eligibility_form_asks_only_for_what_is_missing(live_assistant: LiveAssistant) -> None:
    user = new_user()
    first = live_assistant.texts(user, "我们是做锂电池储能的公司，能申请专利预审吗")
    assert "深圳知识产权保护中心" in first  # centers with the field, before asking the region
    assert "哪个省市" in first
    second = live_assistant.texts(user, "深圳市")
    assert "深圳知识产权保护中心" in second  # named at once, before the last question
    assert "哪种专利" in second and "外观设计" in second
    answer = live_assistant.texts(user, "发明")
    assert answer.startswith("可以申请")
    assert "深圳知识产权保护中心" in answer and "约3个月" in answer and "来源：" in answer


def test_eligibility_answered_at_once_when_everything_is_said(
    live_assistant: LiveAssistant,
) -> None:
    answer = live_assistant.texts(
        new_user(), "我们在杭州，做工业机器人的，想申请发明专利，能走预审吗"
    )
    assert "杭州知识产权保护中心" in answer and "可以申请" in answer


def test_field_outside_local_scope_gets_alternatives(live_assistant: LiveAssistant) -> None:
    answer = live_assistant.texts(new_user(), "北京的医疗器械企业申请外观设计能预审吗")
    assert "不包含「生物医药」" in answer and "南京知识产权保护中心" in answer
    assert "只受理各自地区的申请人" in answer  # never another area's center without saying so


def test_a_city_of_the_added_centers_gets_its_own_center(live_assistant: LiveAssistant) -> None:
    answer = live_assistant.texts(new_user(), "苏州的医疗器械企业申请外观设计能预审吗")
    assert "苏州知识产权保护中心" in answer and "确认" in answer  # dated/translated: confirm


def test_a_centers_fields(live_assistant: LiveAssistant) -> None:
    answer = live_assistant.texts(new_user(), "广州中心的预审范围是什么")
    assert "广州知识产权保护中心的预审领域：高端装备制造、新材料" in answer


def test_dispute_flow_with_buttons(live_assistant: LiveAssistant) -> None:
    user = new_user()
    first = live_assistant.say(user, "有人仿冒我们的商标，怎么维权")
    assert "调解" in first[0]["text"] and "诉讼" in first[0]["text"]  # routes named at once
    assert [b["title"] for b in first[-1]["buttons"]] == ["线下", "电商平台", "展会", "海外"]
    second = live_assistant.say(user, first[-1]["buttons"][1]["payload"])
    assert "停止侵权" in [b["title"] for b in second[-1]["buttons"]]
    answer = live_assistant.texts(user, "停止侵权")
    assert "电商平台投诉" in answer and "行政执法投诉" in answer
    assert "取证提示" in answer and "不构成法律意见" in answer


def test_faq_answers_show_their_source(live_assistant: LiveAssistant) -> None:
    policy = live_assistant.texts(new_user(), "预审合格了接下来要干嘛")
    assert "正式提交" in policy and "来源：" in policy
    # Yes/no first, then one center's practice as an example, with its source.
    fee = live_assistant.texts(new_user(), "走预审需要缴费吗")
    assert fee == get_knowledge_base().render_answer("fasttrack_fee")
    assert fee.startswith("一般免费") and "泉州" in fee and "来源：" in fee


def test_contacts_are_marked_as_sample_data(live_assistant: LiveAssistant) -> None:
    answer = live_assistant.texts(new_user(), "你们中心的电话是多少")
    # no IPPC_CENTER and sample center_info.yml: a national guide says it has no card
    assert "电话" in answer and "全国性" in answer and "12330" in answer


def test_out_of_scope_is_redirected(live_assistant: LiveAssistant) -> None:
    answer = live_assistant.texts(new_user(), "帮我查一下明天上海的天气")
    assert "不在我的服务范围" in answer


def is_response(reply: str, name: str) -> bool:
    return reply in response_texts(name)


def only_text(replies: list[dict]) -> str:
    assert len(replies) == 1 and replies[0].get("text"), replies
    return replies[0]["text"]


# Each odd input with the reply it should get. A known gap is a strict xfail naming its owner.
BAD_INPUTS = [
    pytest.param("", lambda r: is_response(r, "utter_empty_message"), id="empty"),
    pytest.param("   ", lambda r: is_response(r, "utter_empty_message"), id="spaces"),
    pytest.param("\u3000\t\n", lambda r: is_response(r, "utter_empty_message"), id="blank-unicode"),
    # Nothing to understand: a prompt to say it in words, with examples.
    # Thumbs up: read as thanks, or a prompt to say it in words.
    pytest.param(
        "👍👍👍",
        lambda r: is_response(r, "utter_rephrase") or r.startswith("不客气"),
        id="emoji",
    ),
    pytest.param("?", lambda r: is_response(r, "utter_rephrase"), id="question-mark"),
    pytest.param(
        "？？？",
        lambda r: is_response(r, "utter_rephrase"),
        id="full-width-question-marks",
    ),
    pytest.param("你好\x00\x07", lambda r: is_response(r, "utter_greet"), id="control"),
    pytest.param(
        '<img src=x onerror="alert(1)"><script>alert(2)</script>',
        lambda r: is_response(r, "utter_rephrase"),
        id="markup",
    ),
    pytest.param(
        "hello, can you help me?",
        lambda r: "中文" in r,  # the assistant answers in Chinese: it must say so
        id="english",
    ),
    pytest.param(
        "预审 pre-exam 怎么apply",
        lambda r: not is_response(r, "utter_rephrase") and "预审" in r,
        id="mixed",
    ),
    pytest.param(
        "专利" * 2500,
        lambda r: "2000" in r or is_response(r, "utter_rephrase"),
        id="5000-chars",
    ),
]


@pytest.mark.parametrize(("message", "intended"), BAD_INPUTS)
def test_bad_input_gets_the_intended_reply(
    live_assistant: LiveAssistant, message: str, intended
) -> None:
    reply = only_text(live_assistant.say(new_user(), message))
    assert intended(reply), reply


def test_no_exception_in_the_logs(live_assistant: LiveAssistant) -> None:
    """Runs after the conversations above (file order): nothing may have crashed."""
    log = live_assistant.log_path.read_text(errors="replace")
    assert log_errors(log) == []
