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

from handoff.hours import WorkingHours, WorkingHoursError, current_time
from handoff.models import LEFT_MESSAGE
from knowledge_base.base import get_knowledge_base
from tests.conftest import LiveAssistant, start_assistant

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
    periods = get_knowledge_base().center_info.working_periods
    opening = periods[0].split("-")[0].strip()
    assert "不在人工服务时间" in offer, offer
    assert f"最早 明天 {opening} 上线" in offer, offer
    assert "工单号" not in offer  # no ticket in the live queue
    assert "联系方式" in offer  # the form asks for a contact

    assert "没有识别到有效的手机号" in after_hours.texts(sender, "我不想给")
    assert "简要说明" in after_hours.texts(sender, "13812345678")
    done = after_hours.texts(sender, "想问预审收费的具体标准")
    assert "留言已提交" in done and f"明天 {opening} 上线后" in done, done

    listed = after_hours.ippc("handoff", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [ticket] = [t for t in json.loads(listed.stdout) if t["conversation_id"] == sender]
    assert ticket["status"] == LEFT_MESSAGE
    assert ticket["topic"] == "fasttrack_fee"
    hour, minute = (int(part) for part in opening.split(":"))
    expected = MAKE_UP_SATURDAY.replace(hour=hour, minute=minute)
    assert datetime.fromisoformat(ticket["callback_after"]) == expected
    assert "13812345678" not in listed.stdout  # the contact is masked in listings
    texts = [line["text"] for line in ticket["transcript"] if line["sender"] == "user"]
    assert texts[0] == "预审需要收费吗"


@pytest.mark.model
def test_after_hours_the_form_can_be_cancelled(after_hours: LiveAssistant) -> None:
    sender = f"after-{uuid.uuid4().hex[:8]}"
    assert "不在人工服务时间" in after_hours.texts(sender, "我要找人工客服")
    assert "已取消留言" in after_hours.texts(sender, "取消")
    listed = json.loads(after_hours.ippc("handoff", "list", "--json").stdout)
    assert [t for t in listed if t["conversation_id"] == sender] == []


@pytest.mark.model
def test_after_hours_no_error_in_the_log(after_hours: LiveAssistant) -> None:
    log = after_hours.log_path.read_text(errors="replace")
    assert "Traceback" not in log and " ERROR " not in log
