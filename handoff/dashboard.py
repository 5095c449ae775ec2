"""Dashboard figures (tickets per day, median wait, ratings, topics that end in handoff)
and the bar chart as an inline SVG rendered here, without any JavaScript library."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.auth import StaffView
from handoff.models import LEFT_MESSAGE, Ticket
from handoff.review import local_zone
from knowledge_base.texts import say


@dataclass
class Dashboard:
    days: list[tuple[date, int]]
    median_wait_minutes: float | None
    ratings: dict[int, int]
    average_rating: float | None
    topics: list[tuple[str, int]]
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(count for _day, count in self.days)


def build_dashboard(
    session: Session, viewer: StaffView, today: date | None = None, span_days: int = 14
) -> Dashboard:
    today = today or datetime.now(local_zone()).date()
    first = today - timedelta(days=span_days - 1)
    start_utc = (
        datetime.combine(first, datetime.min.time(), tzinfo=local_zone())
        .astimezone(timezone.utc)
        .replace(tzinfo=None)
    )
    query = select(
        Ticket.created_at,
        Ticket.claimed_at,
        Ticket.status,
        Ticket.reason,
        Ticket.topic,
        Ticket.rating,
    ).where(Ticket.created_at >= start_utc)
    if viewer.center is not None:
        query = query.where(Ticket.center == viewer.center)
    rows = session.execute(query).all()

    per_day: Counter[date] = Counter()
    waits: list[float] = []
    ratings: Counter[int] = Counter()
    topics: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for created, claimed, status, reason, topic, rating in rows:
        per_day[created.replace(tzinfo=timezone.utc).astimezone(local_zone()).date()] += 1
        if claimed and status != LEFT_MESSAGE:
            waits.append((claimed - created).total_seconds() / 60)
        if rating:
            ratings[rating] += 1
        topics[topic or say("handoff.dashboard.no_topic")] += 1
        statuses[status] += 1
        reasons[reason] += 1
    rated = sum(ratings.values())
    return Dashboard(
        days=[
            (first + timedelta(days=i), per_day[first + timedelta(days=i)])
            for i in range(span_days)
        ],
        median_wait_minutes=round(statistics.median(waits), 1) if waits else None,
        ratings={score: ratings[score] for score in range(1, 6)},
        average_rating=round(sum(s * n for s, n in ratings.items()) / rated, 2) if rated else None,
        topics=topics.most_common(8),
        statuses=dict(statuses),
        reasons=dict(reasons),
    )


def bar_chart_svg(days: list[tuple[date, int]], width: int = 640, height: int = 220) -> str:
    """Tickets per day as an accessible SVG bar chart (title, labels, values on the bars)."""
    top, bottom, left = 20, 30, 30
    plot_h = height - top - bottom
    peak = max([count for _d, count in days] + [1])
    slot = (width - left) / max(1, len(days))
    bar_w = max(4.0, slot * 0.6)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(say("handoff.dashboard.chart_title"))}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#888"/>',
        f'<text x="2" y="{top + 4}" font-size="11">{peak}</text>',
        f'<text x="2" y="{top + plot_h}" font-size="11">0</text>',
    ]
    for index, (day, count) in enumerate(days):
        x = left + index * slot + (slot - bar_w) / 2
        bar_h = plot_h * count / peak
        y = top + plot_h - bar_h
        label = escape(f"{day.month}/{day.day}")
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="#2f6fb3"><title>{escape(day.isoformat())}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
                f'text-anchor="middle">{count}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" font-size="10" '
            f'text-anchor="middle">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
