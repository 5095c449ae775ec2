"""When staff are available: ``IPPC_WORKING_HOURS=24x7``, or the center's periods on Chinese
working days (public holidays off, make-up workdays on) as published in chinesecalendar."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from core.clock import aware_utc_now
from knowledge_base.base import get_knowledge_base
from knowledge_base.texts import say
from knowledge_base.timezone import center_timezone

ALWAYS = "24x7"
# How far ahead to look for the next working period (long holidays are at most ~10 days).
SEARCH_DAYS = 40


class WorkingHoursError(ValueError):
    """A working-hours setting that cannot be understood."""


def current_time(environ: Mapping[str, str] | None = None) -> datetime:
    """Now, time-zone aware. ``IPPC_NOW`` (ISO 8601 with an offset) fixes the clock that
    working hours are judged by, so the after-hours path can be tested and shown on any day;
    unset in production."""
    environ = os.environ if environ is None else environ
    value = environ.get("IPPC_NOW", "").strip()
    if not value:
        return aware_utc_now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise WorkingHoursError(
            f"IPPC_NOW {value!r} is not a time with an offset such as 2023-10-06T10:00:00+08:00"
        )
    return moment


def is_chinese_workday(day: date) -> bool:
    """Working day per the State Council's yearly schedule; plain Mon–Fri beyond its years."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _parse_period(text: str) -> tuple[time, time]:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise WorkingHoursError(f"working period {text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(x) for x in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise WorkingHoursError(f"working period {text!r} is not a time of day")
    start = time(h1, m1)
    end = time(23, 59, 59, 999999) if (h2, m2) == (24, 0) else time(h2, m2)
    if end <= start:
        raise WorkingHoursError(f"working period {text!r} ends before it starts")
    return start, end


@dataclass(frozen=True)
class WorkingHours:
    """Staff availability; ``always`` overrides the periods (a night shift, black-box checks)."""

    periods: tuple[tuple[time, time], ...]
    timezone: ZoneInfo
    always: bool = False

    @classmethod
    def parse(cls, periods: list[str] | tuple[str, ...], timezone: str) -> WorkingHours:
        if not periods:
            raise WorkingHoursError("no working periods given")
        parsed = tuple(sorted(_parse_period(p) for p in periods))
        try:
            zone = ZoneInfo(timezone)
        except Exception as error:  # ZoneInfoNotFoundError, ValueError
            raise WorkingHoursError(f"unknown time zone {timezone!r}") from error
        return cls(periods=parsed, timezone=zone)

    @classmethod
    def from_settings(cls, environ: Mapping[str, str] | None = None) -> WorkingHours:
        """``IPPC_WORKING_HOURS=24x7`` or the center's configured hours (center_info.yml)."""
        environ = os.environ if environ is None else environ
        zone = center_timezone()
        value = environ.get("IPPC_WORKING_HOURS", "").strip().lower()
        if value == ALWAYS:
            return cls(periods=(), timezone=ZoneInfo(zone), always=True)
        if value:
            # e.g. "08:30-12:00,13:00-18:00": the center's days with other hours.
            return cls.parse(value.split(","), zone)
        return cls.parse(get_knowledge_base().center_info.working_periods, zone)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise WorkingHoursError("a time without a time zone")
        return moment.astimezone(self.timezone)

    def is_open(self, moment: datetime) -> bool:
        """Are staff at work at ``moment`` (an aware datetime)?"""
        if self.always:
            return True
        local = self._local(moment)
        if not is_chinese_workday(local.date()):
            return False
        now = local.time()
        return any(start <= now < end for start, end in self.periods)

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself when open, else the start of the next working period."""
        if self.is_open(moment):
            return self._local(moment)
        local = self._local(moment)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if not is_chinese_workday(day):
                continue
            for start, _end in self.periods:
                candidate = datetime.combine(day, start, tzinfo=self.timezone)
                if candidate > local:
                    return candidate
        raise WorkingHoursError(f"no working period in the {SEARCH_DAYS} days after {local}")

    def describe(self) -> str:
        """The hours as told to users (texts handoff.hours.*)."""
        if self.always:
            return say("handoff.hours.always")
        spans = "、".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods)
        return say("handoff.hours.workdays", spans=spans)


def describe_moment(moment: datetime, now: datetime) -> str:
    """Today, tomorrow or a dated weekday with the time, in the moment's own zone (texts
    handoff.moment.*: '今天 13:30', '明天 09:00', '2月24日（星期二）09:00')."""
    days = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    clock = f"{moment:%H:%M}"
    if days == 0:
        return say("handoff.moment.today", clock=clock)
    if days == 1:
        return say("handoff.moment.tomorrow", clock=clock)
    weekday = say("handoff.moment.weekdays")[moment.weekday()]
    return say(
        "handoff.moment.later", month=moment.month, day=moment.day, weekday=weekday, clock=clock
    )
