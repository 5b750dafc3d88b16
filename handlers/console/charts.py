"""Server-drawn bar charts for the Reports page: geometry only (the template draws the SVG, and the
page shows the same figures in a table next to every chart, so no reader depends on the picture)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot.cases.reports import Report
from bot.flows import TYPE_LABELS

WIDE = (960, 280)  # a chart across the page
NARROW = (420, 240)  # a chart in half of it
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str  # read out as the bar's title: "Week of 2026-03-02: Deletion (erasure) 3"


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_labels: list[Tick] = field(default_factory=list)
    width: int = NARROW[0]
    height: int = NARROW[1]
    left: int = LEFT

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def right(self) -> int:
        return self.width - RIGHT


def nice_ceiling(value: int) -> int:
    """The axis maximum: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _ticks(top: int, scale: float, bottom: float) -> list[Tick]:
    step = max(1, nice_ceiling(top) // 5) if top > 5 else 1
    return [Tick(bottom - n * scale, str(n)) for n in range(0, top + 1, step)]


def series_class(kind: str) -> str:
    """The colour of a request type (the same in every chart and legend)."""
    return f"series-{list(TYPE_LABELS).index(kind) % 8}" if kind in TYPE_LABELS else "series-7"


def weekly_chart(report: Report) -> Chart:
    """Requests received per week, stacked by type."""
    weeks = report.by_week
    width, height = WIDE
    top = nice_ceiling(max((w.total for w in weeks), default=0))
    plot_width, bottom = width - LEFT - RIGHT, height - BOTTOM
    scale = (bottom - TOP) / top
    slot = plot_width / max(len(weeks), 1)
    bar_width = max(4.0, slot * 0.7)
    bars, labels = [], []
    every = max(1, math.ceil(len(weeks) / 8))  # at most eight dates under the axis
    for i, week in enumerate(weeks):
        x = LEFT + i * slot + (slot - bar_width) / 2
        y = float(bottom)
        for kind in report.types:
            count = week.counts.get(kind, 0)
            if not count:
                continue
            bar_height = count * scale
            y -= bar_height
            label = f"Week of {week.week.isoformat()}: {TYPE_LABELS.get(kind, kind)} {count}"
            bars.append(
                Bar(round(x, 1), round(y, 1), round(bar_width, 1), round(bar_height, 1), series_class(kind), label)
            )
        if i % every == 0:
            labels.append(Tick(round(x + bar_width / 2, 1), week.week.strftime("%d %b")))
    total = sum(w.total for w in weeks)
    return Chart(
        id="chart-weeks",
        title="Requests received per week, by type",
        description=f"{total} requests in {len(weeks)} weeks; the table below has every figure.",
        bars=bars,
        y_ticks=_ticks(top, scale, bottom),
        x_labels=labels,
        width=width,
        height=height,
    )


def age_chart(report: Report) -> Chart:
    """Open requests by days since receipt."""
    buckets = report.open_by_age
    width, height = NARROW
    top = nice_ceiling(max((count for _, count in buckets), default=0))
    plot_width, bottom = width - LEFT - RIGHT, height - BOTTOM
    scale = (bottom - TOP) / top
    slot = plot_width / max(len(buckets), 1)
    bar_width = slot * 0.6
    bars, labels = [], []
    for i, (label, count) in enumerate(buckets):
        x = LEFT + i * slot + (slot - bar_width) / 2
        bar_height = count * scale
        bars.append(
            Bar(
                round(x, 1),
                round(bottom - bar_height, 1),
                round(bar_width, 1),
                round(bar_height, 1),
                "bar--age",
                f"{label}: {count}",
            )
        )
        labels.append(Tick(round(x + bar_width / 2, 1), label))
    total = sum(count for _, count in buckets)
    return Chart(
        id="chart-age",
        title="Open requests by age (days since receipt)",
        description=f"{total} requests open today; the table below has every figure.",
        bars=bars,
        y_ticks=_ticks(top, scale, bottom),
        x_labels=labels,
        width=width,
        height=height,
    )


def completion_chart(report: Report) -> Chart:
    """Closed in the period: on time and late, side by side."""
    late = report.closed - report.on_time
    width, height = NARROW
    top = nice_ceiling(max(report.on_time, late))
    bottom = height - BOTTOM
    slot = (width - LEFT - RIGHT) / 2
    scale = (bottom - TOP) / top
    bars, labels = [], []
    for i, (label, count, css) in enumerate((("On time", report.on_time, "bar--ontime"), ("Late", late, "bar--late"))):
        x = round(LEFT + i * slot + slot * 0.2, 1)
        bar_height = count * scale
        bars.append(
            Bar(x, round(bottom - bar_height, 1), round(slot * 0.6, 1), round(bar_height, 1), css, f"{label}: {count}")
        )
        labels.append(Tick(round(x + slot * 0.3, 1), label))
    rate = report.on_time_rate
    said = "no request was closed in the period" if rate is None else f"{rate:.0%} of {report.closed} closed on time"
    return Chart(
        id="chart-completion",
        title="Requests closed on time and late",
        description=f"In the period {said}.",
        bars=bars,
        y_ticks=_ticks(top, scale, bottom),
        x_labels=labels,
        width=width,
        height=height,
    )
