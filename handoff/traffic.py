"""Whether the learning loop works: per day and channel, conversations, fallback rate,
handoff rate, average rating and the topics most missed; as server-rendered SVG charts and
as CSV for admins. Traffic counts come from the Rasa server (handoff.missed), tickets and
ratings from the ticket table, missed topics from the inbox."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utc_now
from handoff.auth import StaffView
from handoff.missed import local_day
from handoff.models import DailyTraffic, MissedMessage, Ticket
from handoff.review import local_zone
from nlu.topics import topic_label

PALETTE = ("#2f6fb3", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d")
TOP_TOPICS = 8


@dataclass
class DayFigures:
    conversations: int = 0
    messages: int = 0
    fallbacks: int = 0
    handoffs: int = 0
    ratings: list[int] = field(default_factory=list)
    missed: Counter[str] = field(default_factory=Counter)

    @property
    def fallback_rate(self) -> float | None:
        return round(self.fallbacks / self.messages, 3) if self.messages else None

    @property
    def handoff_rate(self) -> float | None:
        return round(self.handoffs / self.conversations, 3) if self.conversations else None

    @property
    def average_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None


@dataclass
class Traffic:
    days: list[date]
    channels: list[str]
    figures: dict[tuple[date, str], DayFigures]
    missed_topics: list[tuple[str, int]]

    def series(self, metric: str) -> dict[str, list[float | None]]:
        """Per channel, the metric's value on each day (None: nothing to measure)."""
        return {
            channel: [
                getattr(self.figures.get((day, channel), DayFigures()), metric) for day in self.days
            ]
            for channel in self.channels
        }

    def totals(self) -> DayFigures:
        total = DayFigures()
        for figures in self.figures.values():
            total.conversations += figures.conversations
            total.messages += figures.messages
            total.fallbacks += figures.fallbacks
            total.handoffs += figures.handoffs
            total.ratings += figures.ratings
        return total


def _utc_start(day: date) -> datetime:
    return (
        datetime.combine(day, time.min, tzinfo=local_zone())
        .astimezone(timezone.utc)
        .replace(tzinfo=None)
    )


def build_traffic(
    session: Session, viewer: StaffView, today: date | None = None, span_days: int = 14
) -> Traffic:
    today = today or local_day(utc_now())
    first = today - timedelta(days=span_days - 1)
    days = [first + timedelta(days=i) for i in range(span_days)]
    start = _utc_start(first)
    figures: dict[tuple[date, str], DayFigures] = defaultdict(DayFigures)

    query = select(DailyTraffic).where(DailyTraffic.day >= first, DailyTraffic.day <= today)
    if viewer.center is not None:
        query = query.where(DailyTraffic.center == viewer.center)
    for row in session.execute(query).scalars():
        day = figures[(row.day, row.channel)]
        day.conversations += row.conversations
        day.messages += row.messages
        day.fallbacks += row.fallbacks

    tickets = select(Ticket.created_at, Ticket.channel, Ticket.rating).where(
        Ticket.created_at >= start
    )
    if viewer.center is not None:
        tickets = tickets.where(Ticket.center == viewer.center)
    for created, channel, rating in session.execute(tickets).all():
        day = figures[(local_day(created), channel)]
        day.handoffs += 1
        if rating:
            day.ratings.append(rating)

    missed = select(MissedMessage.at, MissedMessage.channel, MissedMessage.topic).where(
        MissedMessage.at >= start
    )
    if viewer.center is not None:
        missed = missed.where(MissedMessage.center == viewer.center)
    overall: Counter[str] = Counter()
    for at, channel, topic in session.execute(missed).all():
        figures[(local_day(at), channel)].missed[topic or "unknown"] += 1
        overall[topic or "unknown"] += 1

    in_range = {key: value for key, value in figures.items() if first <= key[0] <= today}
    channels = sorted({channel for _day, channel in in_range})
    return Traffic(days, channels, in_range, overall.most_common(TOP_TOPICS))


# ------------------------------------------------------------------------------ charts
def line_chart_svg(
    chart_id: str,
    title: str,
    days: list[date],
    series: dict[str, list[float | None]],
    percent: bool = False,
    width: int = 640,
    height: int = 220,
) -> str:
    """One line per channel over the days; gaps where there is nothing to measure."""
    top, bottom, left, right = 24, 44, 40, 10
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for v in points if v is not None]
    peak = max(values + [0.0]) or 1.0
    if percent:
        peak = max(peak, 0.1)
    step = plot_w / max(1, len(days) - 1)

    def fmt(value: float) -> str:
        return f"{value * 100:.0f}%" if percent else f"{value:g}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title" class="chart" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'stroke="#888"/>',
        f'<text x="2" y="{top + 4}" font-size="11">{escape(fmt(peak))}</text>',
        f'<text x="2" y="{top + plot_h}" font-size="11">{escape(fmt(0))}</text>',
    ]
    for index, day in enumerate(days):
        if index % 2 == 0 or len(days) <= 7:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{top + plot_h + 14}" font-size="10" '
                f'text-anchor="middle">{day.month}/{day.day}</text>'
            )
    for number, (channel, points) in enumerate(series.items()):
        color = PALETTE[number % len(PALETTE)]
        path: list[str] = []
        for index, value in enumerate(points):
            if value is None:
                continue
            x = left + index * step
            y = top + plot_h - plot_h * value / peak
            path.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(channel)} {days[index].isoformat()}: {escape(fmt(value))}"
                "</title></circle>"
            )
        if len(path) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                f'points="{" ".join(path)}"/>'
            )
        legend_x = left + number * 110
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11">{escape(channel)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def topics_chart_svg(
    chart_id: str, title: str, topics: list[tuple[str, int]], width: int = 640
) -> str:
    """Horizontal bars: the topics most missed, labelled in Chinese."""
    row_h, left = 24, 250
    height = max(1, len(topics)) * row_h + 10
    peak = max([count for _t, count in topics] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title" class="chart" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (topic, count) in enumerate(topics):
        y = 5 + index * row_h
        bar = (width - left - 40) * count / peak
        label = topic_label(topic) if topic != "unknown" else "（未识别）"
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="16" fill="{PALETTE[0]}">'
            f"<title>{escape(topic)}: {count}</title></rect>"
            f'<text x="{left + bar + 4:.1f}" y="{y + 15}" font-size="12">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------------------ CSV
CSV_COLUMNS = (
    "day",
    "channel",
    "conversations",
    "user_messages",
    "fallbacks",
    "fallback_rate",
    "handoffs",
    "handoff_rate",
    "ratings",
    "average_rating",
    "top_missed_topics",
)


def traffic_csv(traffic: Traffic) -> str:
    """Every day and channel with figures, UTF-8 with BOM (Excel); topics as code and label."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for (day, channel), figures in sorted(traffic.figures.items()):
        topics = "; ".join(
            f"{code} {topic_label(code)} ({count})" for code, count in figures.missed.most_common(3)
        )
        writer.writerow(
            [
                day.isoformat(),
                channel,
                figures.conversations,
                figures.messages,
                figures.fallbacks,
                "" if figures.fallback_rate is None else figures.fallback_rate,
                figures.handoffs,
                "" if figures.handoff_rate is None else figures.handoff_rate,
                len(figures.ratings),
                "" if figures.average_rating is None else figures.average_rating,
                topics,
            ]
        )
    return "\ufeff" + buffer.getvalue()


def dashboard_context(session: Session, viewer: StaffView) -> dict[str, object]:
    """What the dashboard page shows of the traffic: figures, charts, top missed topics."""
    traffic = build_traffic(session, viewer)
    return {
        "traffic": traffic,
        "traffic_totals": traffic.totals(),
        "traffic_charts": [
            line_chart_svg(
                "chart-conversations",
                "每日会话数（按渠道）",
                traffic.days,
                traffic.series("conversations"),
            ),
            line_chart_svg(
                "chart-fallback",
                "未理解率（按渠道）",
                traffic.days,
                traffic.series("fallback_rate"),
                percent=True,
            ),
            line_chart_svg(
                "chart-handoff",
                "转人工率（按渠道）",
                traffic.days,
                traffic.series("handoff_rate"),
                percent=True,
            ),
            line_chart_svg(
                "chart-rating", "平均评分（按渠道）", traffic.days, traffic.series("average_rating")
            ),
        ],
        "missed_chart": topics_chart_svg("chart-missed", "最常未答好的话题", traffic.missed_topics),
    }
