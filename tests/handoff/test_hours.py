"""Working hours: Chinese holidays and make-up workdays from chinesecalendar, the center's
periods and time zone, and IPPC_WORKING_HOURS=24x7."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handoff.hours import WorkingHours, WorkingHoursError, describe_moment, is_chinese_workday

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def hours() -> WorkingHours:
    return WorkingHours.parse(["09:00-12:00", "13:30-17:30"], "Asia/Shanghai")


def test_the_2026_spring_festival_is_closed_even_on_weekdays(hours: WorkingHours) -> None:
    for day in range(15, 24):  # 15–23 February 2026
        assert not hours.is_open(at(2026, 2, day, 10, 0)), day
    assert hours.is_open(at(2026, 2, 24, 10, 0))  # Tuesday after the holiday


def test_the_make_up_saturdays_of_2026_are_working_days(hours: WorkingHours) -> None:
    assert is_chinese_workday(at(2026, 2, 14).date())  # Saturday before the Spring Festival
    assert hours.is_open(at(2026, 2, 14, 10, 0))
    assert hours.is_open(at(2026, 2, 28, 15, 0))  # Saturday after it
    assert not hours.is_open(at(2026, 3, 7, 10, 0))  # an ordinary Saturday


def test_periods_and_lunch_break(hours: WorkingHours) -> None:
    assert not hours.is_open(at(2026, 3, 4, 8, 59))
    assert hours.is_open(at(2026, 3, 4, 9, 0))
    assert not hours.is_open(at(2026, 3, 4, 12, 0))
    assert not hours.is_open(at(2026, 3, 4, 13, 29))
    assert hours.is_open(at(2026, 3, 4, 17, 29))
    assert not hours.is_open(at(2026, 3, 4, 17, 30))


def test_time_zone_is_the_centers_not_the_callers(hours: WorkingHours) -> None:
    utc_morning = datetime(2026, 3, 4, 2, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Shanghai
    assert hours.is_open(utc_morning)
    assert not hours.is_open(datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("UTC")))  # 18:00


def test_next_open_skips_the_holiday_and_finds_the_make_up_day(hours: WorkingHours) -> None:
    friday_evening = at(2026, 2, 13, 18, 0)
    assert hours.next_open(friday_evening) == at(2026, 2, 14, 9, 0)  # make-up Saturday
    assert hours.next_open(at(2026, 2, 15, 9, 0)) == at(2026, 2, 24, 9, 0)
    assert hours.next_open(at(2026, 3, 4, 12, 30)) == at(2026, 3, 4, 13, 30)
    open_now = at(2026, 3, 4, 10, 0)
    assert hours.next_open(open_now) == open_now


def test_24x7_is_always_open(monkeypatch: pytest.MonkeyPatch) -> None:
    always = WorkingHours.from_settings({"IPPC_WORKING_HOURS": "24x7"})
    assert always.is_open(at(2026, 2, 17, 3, 0))
    assert always.describe() == "全天 24 小时"


def test_default_hours_come_from_center_info() -> None:
    default = WorkingHours.from_settings({})
    assert not default.always
    assert default.is_open(at(2026, 3, 4, 10, 0))
    assert not default.is_open(at(2026, 2, 17, 10, 0))
    assert "09:00-12:00" in default.describe()


@pytest.mark.parametrize(
    ("periods", "reason"),
    [
        (["9-12"], "is not HH:MM-HH:MM"),
        (["12:00-09:00"], "ends before it starts"),
        (["25:00-26:00"], "is not a time of day"),
        ([], "no working periods given"),
    ],
)
def test_bad_periods_are_refused(periods: list[str], reason: str) -> None:
    with pytest.raises(WorkingHoursError, match=reason):
        WorkingHours.parse(periods, "Asia/Shanghai")


def test_bad_time_zone_and_naive_times_are_refused(hours: WorkingHours) -> None:
    with pytest.raises(WorkingHoursError, match="unknown time zone 'Mars/Olympus'"):
        WorkingHours.parse(["09:00-12:00"], "Mars/Olympus")
    with pytest.raises(WorkingHoursError, match="a time without a time zone"):
        hours.is_open(datetime(2026, 3, 4, 10, 0))


def test_describe_moment_in_chinese() -> None:
    now = at(2026, 2, 13, 18, 0)
    assert describe_moment(at(2026, 2, 13, 19, 0), now) == "今天 19:00"
    assert describe_moment(at(2026, 2, 14, 9, 0), now) == "明天 09:00"
    assert describe_moment(at(2026, 2, 24, 9, 0), now) == "2月24日（星期二）09:00"
