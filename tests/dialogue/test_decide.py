"""The dialogue policy's decisions on tracker events as the Rasa server keeps them."""

from __future__ import annotations

from typing import Any

from dialogue.decide import (
    CASE_FORM,
    DISPUTE_FORM,
    ELIGIBILITY_FORM,
    FALLBACK_ACTION,
    LISTEN,
    STOP_ACTION,
    Turn,
    next_action,
)
from dialogue.turns import last_form, unanswered_in_a_row, user_turns_since_form


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def loop(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "name": name}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def entity(name: str, value: str, start: int, end: int) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": end}


CASE_ASKED = [
    {"event": "session_started"},
    user("帮我查进度"),
    action(CASE_FORM),
    loop(CASE_FORM),
    slot("requested_slot", "case_number"),
]


def listening(events: list, text: str, intent: str = "nlu_fallback", **kw: Any) -> Turn:
    active = None
    for event in events:
        if event["event"] == "active_loop":
            active = event["name"]
    return Turn(
        latest_action=LISTEN,
        active_loop=active,
        requested_slot=kw.pop("requested_slot", None),
        text=text,
        intent=intent,
        events=[*events, user(text)],
        **kw,
    )


def test_a_bare_stop_inside_a_form_stops_it() -> None:
    assert next_action(listening(CASE_ASKED, "算了")) == STOP_ACTION
    assert next_action(listening(CASE_ASKED, "不查了")) == STOP_ACTION


def test_a_stop_with_a_question_lets_the_form_reject_then_stops_after_the_answer() -> None:
    turn = listening(CASE_ASKED, "不查了，备案需要什么材料", "fasttrack_registration")
    assert next_action(turn) is None  # the form runs, rejects, a rule answers
    answered = Turn(
        latest_action="utter_fasttrack_registration",
        active_loop=CASE_FORM,
        requested_slot="case_number",
        text=turn.text,
        intent=turn.intent,
        events=turn.events + [action("utter_fasttrack_registration")],
    )
    assert next_action(answered) == STOP_ACTION
    after_stop = Turn(STOP_ACTION, None, None, turn.text, turn.intent, events=turn.events)
    assert next_action(after_stop) == LISTEN


def test_a_question_without_stop_resumes_the_form() -> None:
    answered = Turn(
        latest_action="action_center_contact",
        active_loop=CASE_FORM,
        requested_slot="case_number",
        text="你们电话多少",
        intent="center_contact",
        events=[*CASE_ASKED, user("你们电话多少"), action("action_center_contact")],
    )
    assert next_action(answered) is None  # RulePolicy resumes the form


def test_asking_for_a_person_is_never_taken_by_this_policy() -> None:
    assert next_action(listening(CASE_ASKED, "算了，转人工吧", "human_handoff")) is None


def test_the_form_gives_up_after_two_unanswered_replies() -> None:
    events = [*CASE_ASKED]
    for text in ("啊这", "嗯嗯"):
        events += [user(text), action(CASE_FORM), slot("case_number", None)]
        events += [slot("requested_slot", "case_number")]
    assert unanswered_in_a_row(events, CASE_FORM, "case_number") == 2
    turn = Turn(CASE_FORM, CASE_FORM, "case_number", "嗯嗯", "nlu_fallback", events=events)
    assert next_action(turn) == STOP_ACTION
    once = events[:-4]
    assert unanswered_in_a_row(once, CASE_FORM, "case_number") == 1
    turn = Turn(CASE_FORM, CASE_FORM, "case_number", "啊这", "nlu_fallback", events=once)
    assert next_action(turn) is None


def test_progress_resets_the_count() -> None:
    events = [
        user("能预审吗"),
        action(ELIGIBILITY_FORM),
        loop(ELIGIBILITY_FORM),
        slot("requested_slot", "patent_type"),
        user("不知道啊"),
        action(ELIGIBILITY_FORM),
        slot("requested_slot", "patent_type"),
        user("说错了，我们在上海"),
        slot("region", "上海"),
        action(ELIGIBILITY_FORM),
        slot("requested_slot", "patent_type"),
    ]
    assert unanswered_in_a_row(events, ELIGIBILITY_FORM, "patent_type") == 0


ELIGIBILITY_DONE = [
    {"event": "session_started"},
    user("北京做高端装备的能预审吗"),
    action(ELIGIBILITY_FORM),
    loop(ELIGIBILITY_FORM),
    slot("region", "北京"),
    slot("requested_slot", "patent_type"),
    user("发明"),
    action(ELIGIBILITY_FORM),
    slot("patent_type", "发明"),
    loop(None),
    slot("requested_slot", None),
    action("action_answer_eligibility"),
]


def test_a_correction_right_after_a_form_runs_it_again() -> None:
    text = "说错了，我们在上海"
    turn = listening(ELIGIBILITY_DONE, text, "greet", entities=[entity("region", "上海", 7, 9)])
    assert last_form(turn.events) == ELIGIBILITY_FORM
    assert user_turns_since_form(turn.events, ELIGIBILITY_FORM) == 1
    assert next_action(turn) == ELIGIBILITY_FORM


def test_a_correction_that_names_nothing_of_the_form_is_left_to_the_rules() -> None:
    turn = listening(ELIGIBILITY_DONE, "不对，我想问备案的材料", "fasttrack_registration")
    assert next_action(turn) is None


DISPUTE_DONE = [
    user("我想维权"),
    action(DISPUTE_FORM),
    loop(DISPUTE_FORM),
    slot("requested_slot", "right_type"),
    user("专利"),
    action(DISPUTE_FORM),
    slot("right_type", "专利"),
    loop(None),
    action("action_recommend_dispute_routes"),
]


def test_a_correction_long_after_the_form_is_a_new_message() -> None:
    events = [*DISPUTE_DONE]
    for text in ("谢谢", "预审多久", "收费吗", "好的"):
        events += [user(text), action("utter_x")]
    assert user_turns_since_form([*events, user("x")], DISPUTE_FORM) == 5
    assert next_action(listening(events, "不是专利，是商标")) is None
    assert next_action(listening(DISPUTE_DONE, "不是专利，是商标")) == DISPUTE_FORM


def test_a_negated_dispute_answer_after_the_routes_runs_the_dispute_form_again() -> None:
    events = DISPUTE_DONE
    assert next_action(listening(events, "不是专利，是商标", "dispute_routes")) == DISPUTE_FORM
    assert next_action(listening(events, "不是专利", "dispute_routes")) is None


def test_bare_eligibility_answers_start_the_form() -> None:
    start = [{"event": "session_started"}, user("我们想做专利预审"), action("action_x")]
    turn = listening(start, "新能源", entities=[entity("tech_field", "新能源", 0, 3)])
    assert next_action(turn) == ELIGIBILITY_FORM
    question = listening(start, "深圳中心的电话是多少", "center_contact",
                         entities=[entity("region", "深圳", 0, 2)])  # fmt: skip
    assert next_action(question) is None


def test_a_form_that_just_finished_leads_to_its_answer() -> None:
    events = [user("发明"), action(ELIGIBILITY_FORM), loop(None), slot("requested_slot", None)]
    turn = Turn(ELIGIBILITY_FORM, None, None, "发明", "fasttrack_eligibility", events=events)
    assert next_action(turn) == "action_answer_eligibility"


def test_english_gets_the_language_note_then_the_bot_listens() -> None:
    start = [{"event": "session_started"}]
    turn = listening(start, "hello, can you help me?", intent="bot_identity")
    assert next_action(turn) == FALLBACK_ACTION
    noted = Turn(
        latest_action=FALLBACK_ACTION,
        active_loop=None,
        requested_slot=None,
        text=turn.text,
        intent=turn.intent,
        events=[*turn.events, action(FALLBACK_ACTION)],
    )
    assert next_action(noted) == LISTEN


def test_english_asking_for_a_person_or_inside_a_form_is_left_to_the_rules() -> None:
    start = [{"event": "session_started"}]
    assert next_action(listening(start, "talk to a human", intent="human_handoff")) is None
    assert next_action(listening(CASE_ASKED, "what is this")) is None
    assert next_action(listening(start, "hi", intent="greet")) is None  # one word: classified
