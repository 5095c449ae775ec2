"""The after-hours path through the real bot: ``ippc run`` with the center's own working hours
(center_info.yml) and the clock fixed by IPPC_NOW at 10:00 on Friday 6 October 2023, a public
holiday (National Day) followed by a make-up workday on Saturday 7 October. A weekday holiday
in office hours is closed; the next opening is the Saturday, which is a working day."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from handoff.dialogue import MAX_NOTE_CHARS, cancel_payload
from handoff.hours import WorkingHours, WorkingHoursError, current_time
from handoff.models import LEFT_MESSAGE
from knowledge_base.texts import say
from tests.conftest import LiveAssistant, log_errors, start_assistant

HOLIDAY_MORNING = "2023-10-06T10:00:00+08:00"  # Friday, National Day holiday
MAKE_UP_SATURDAY = datetime(2023, 10, 7, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_ippc_now_fixes_the_clock() -> None:
    fixed = current_time({"IPPC_NOW": HOLIDAY_MORNING})
    assert fixed == datetime(2023, 10, 6, 2, 0, tzinfo=timezone.utc)
    real = current_time({})
    assert abs(real - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert real.tzinfo is not None


@pytest.mark.parametrize("value", ["2023-10-06 10:00", "tomorrow", "2023-13-01T00:00:00+08:00"])
def test_ippc_now_without_offset_or_not_a_time_is_refused(value: str) -> None:
    with pytest.raises(WorkingHoursError, match=r"^IPPC_NOW .* is not a time with an offset"):
        current_time({"IPPC_NOW": value})


def test_the_fixed_day_is_a_holiday_before_a_make_up_workday() -> None:
    """The premise of the live test, from the calendar itself."""
    hours = WorkingHours.from_settings({})
    holiday = datetime.fromisoformat(HOLIDAY_MORNING)
    assert holiday.weekday() == 4 and not hours.is_open(holiday)  # a Friday, in office hours
    first_start = hours.periods[0][0]
    saturday_open = MAKE_UP_SATURDAY.replace(hour=first_start.hour, minute=first_start.minute)
    assert saturday_open.weekday() == 5 and hours.is_open(saturday_open)
    assert hours.next_open(holiday) == saturday_open


@pytest.fixture(scope="module")
def after_hours(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAssistant]:
    with start_assistant(
        tmp_path_factory.mktemp("after-hours"), IPPC_WORKING_HOURS="", IPPC_NOW=HOLIDAY_MORNING
    ) as assistant:
        yield assistant


@pytest.mark.model
def test_after_hours_a_message_is_left_for_the_make_up_workday(after_hours: LiveAssistant) -> None:
    sender = f"after-{uuid.uuid4().hex[:8]}"
    after_hours.texts(sender, "预审需要收费吗")
    offer = after_hours.texts(sender, "转人工")
    # Closed now, with the center's real hours, and back "tomorrow" (the make-up Saturday)
    # at the start of its first period: not Monday 9 October, the next weekday.
    hours = WorkingHours.from_settings({})
    opening = f"{hours.periods[0][0]:%H:%M}"
    back = say("handoff.moment.tomorrow", clock=opening)
    assert offer.splitlines()[0] == say(
        "handoff.offline", lead="", hours=hours.describe(), back=back
    ), offer
    assert (
        say("handoff.ask_contact", cancel=cancel_payload()) in offer
    )  # the form asks for a contact
    assert "工单号" not in offer  # no ticket in the live queue

    assert after_hours.texts(sender, "我不想给").startswith(say("handoff.bad_contact"))
    ask_note = say("handoff.ask_note", max_chars=MAX_NOTE_CHARS)
    assert after_hours.texts(sender, "13812345678") == ask_note
    done = after_hours.texts(sender, "想问预审收费的具体标准")

    listed = after_hours.ippc("handoff", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [ticket] = [t for t in json.loads(listed.stdout) if t["conversation_id"] == f"rest:{sender}"]
    assert done == say("handoff.message_left", ticket_id=ticket["id"], back=back)
    assert ticket["status"] == LEFT_MESSAGE
    assert ticket["topic"] == "fasttrack_fee"
    expected = MAKE_UP_SATURDAY.replace(
        hour=hours.periods[0][0].hour, minute=hours.periods[0][0].minute
    )
    assert datetime.fromisoformat(ticket["callback_after"]) == expected
    assert "13812345678" not in listed.stdout  # the contact is masked in listings
    texts = [line["text"] for line in ticket["transcript"] if line["sender"] == "user"]
    assert texts[0] == "预审需要收费吗"


@pytest.mark.model
def test_after_hours_the_form_can_be_cancelled(after_hours: LiveAssistant) -> None:
    sender = f"after-{uuid.uuid4().hex[:8]}"
    assert "最早" in after_hours.texts(sender, "我要找人工客服")
    assert after_hours.texts(sender, "取消") == say("handoff.message_cancelled")
    listed = json.loads(after_hours.ippc("handoff", "list", "--json").stdout)
    assert [t for t in listed if t["conversation_id"] == f"rest:{sender}"] == []


@pytest.mark.model
def test_after_hours_no_error_in_the_log(after_hours: LiveAssistant) -> None:
    log = after_hours.log_path.read_text(errors="replace")
    assert log_errors(log) == []
