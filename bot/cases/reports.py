"""Reports: how the privacy team is doing over a period, for the console's Reports page, its CSV and
`GET /api/agent/reports`.

Definitions (so the figures can be checked by hand):
- *received*: tickets whose receipt falls in the period (UTC dates, both ends included), by type and
  by ISO week (weeks start on Monday);
- *closed*: tickets the team completed or rejected in the period (withdrawals are the requester's);
  *on time* when closed on or before the due date in force (an extension counts);
- *days to close*: from receipt to closing, in days; the median and the 90th percentile
  interpolate linearly between the nearest ranks (as numpy's default does);
- *open by age*: tickets open or in progress today, by days since receipt;
- *extensions*: extensions granted in the period;
- *workload*: per agent (and unassigned), tickets open, in progress, waiting for the requester and
  overdue today, and tickets they closed in the period.
The type filter applies to every figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.cases.tickets import OPEN_STATUSES
from bot.errors import InvalidInput
from bot.flows import TYPE_LABELS
from bot.store.models import Agent, Ticket

CLOSED_BY_TEAM = ("completed", "rejected")
MAX_DAYS = 731
DEFAULT_WEEKS = 12
AGE_BUCKETS = ((7, "0–7 days"), (14, "8–14 days"), (21, "15–21 days"), (30, "22–30 days"), (None, "over 30 days"))
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class ReportFilter:
    """The period (inclusive dates) and, optionally, one request type."""

    start: date
    end: date
    type: str | None = None

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidInput("The period's start ('from') must not be after its end ('to').")
        if (self.end - self.start).days >= MAX_DAYS:
            raise InvalidInput(f"A report covers at most {MAX_DAYS} days.")
        if self.type is not None and self.type not in TYPE_LABELS:
            raise InvalidInput(f"Unknown request type '{self.type}'. Use one of: {', '.join(TYPE_LABELS)}.")

    @classmethod
    def default(cls, today: date, type: str | None = None) -> ReportFilter:
        """The last twelve weeks, this one included."""
        monday = today - timedelta(days=today.weekday())
        return cls(start=monday - timedelta(weeks=DEFAULT_WEEKS - 1), end=today, type=type)

    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.combine(self.start, time(), UTC), datetime.combine(self.end + timedelta(days=1), time(), UTC)


@dataclass(frozen=True)
class WeekCount:
    week: date  # its Monday
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class AgentLoad:
    agent: str | None  # None: unassigned
    open: int = 0
    in_progress: int = 0
    waiting_for_requester: int = 0
    overdue: int = 0
    closed: int = 0


@dataclass(frozen=True)
class Report:
    filter: ReportFilter
    today: date
    types: tuple[str, ...]
    by_week: list[WeekCount]
    by_type: dict[str, int]
    closed: int
    on_time: int
    median_days: float | None
    p90_days: float | None
    open_by_age: list[tuple[str, int]]
    extensions: dict[int, int] = field(default_factory=dict)  # months → how many
    workload: list[AgentLoad] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(self.by_type.values())

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def extensions_total(self) -> int:
        return sum(self.extensions.values())


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between the nearest ranks (numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def _weeks(start: date, end: date) -> list[date]:
    monday = start - timedelta(days=start.weekday())
    return [monday + timedelta(weeks=n) for n in range((end - monday).days // 7 + 1)]


def build_report(session: Session, report_filter: ReportFilter, *, today: date) -> Report:
    """Every figure of the Reports page for this filter."""
    since, until = report_filter.bounds()
    of_type = [col(Ticket.type) == report_filter.type] if report_filter.type else []
    types = (report_filter.type,) if report_filter.type else tuple(TYPE_LABELS)

    received = session.exec(
        select(Ticket.type, Ticket.received_at).where(
            *of_type, col(Ticket.received_at) >= since, col(Ticket.received_at) < until
        )
    ).all()
    weeks = {week: dict.fromkeys(types, 0) for week in _weeks(report_filter.start, report_filter.end)}
    by_type = dict.fromkeys(types, 0)
    for kind, at in received:
        day = at.date()
        week = weeks.setdefault(day - timedelta(days=day.weekday()), dict.fromkeys(types, 0))
        week[kind] = week.get(kind, 0) + 1
        by_type[kind] = by_type.get(kind, 0) + 1

    # Only the columns the figures need: whole rows (details, JSON) would cost most of the time.
    closed = session.exec(
        select(col(Ticket.received_at), col(Ticket.closed_at), col(Ticket.due_date), col(Ticket.assignee_id)).where(
            *of_type,
            col(Ticket.status).in_(CLOSED_BY_TEAM),
            col(Ticket.closed_at) >= since,
            col(Ticket.closed_at) < until,
        )
    ).all()
    durations = [_days(received_at, closed_at) for received_at, closed_at, _, _ in closed if closed_at]
    on_time = sum(1 for _, closed_at, due, _ in closed if closed_at and closed_at.date() <= due)

    is_open = col(Ticket.status).in_(OPEN_STATUSES)
    open_since = session.exec(select(col(Ticket.received_at)).where(*of_type, is_open)).all()
    open_now = session.exec(
        select(
            col(Ticket.status), col(Ticket.due_date), col(Ticket.assignee_id), col(Ticket.awaiting_requester_since)
        ).where(*of_type, is_open)
    ).all()
    ages = dict.fromkeys((label for _, label in AGE_BUCKETS), 0)
    for received_at in open_since:
        age = (today - received_at.date()).days
        ages[next(label for limit, label in AGE_BUCKETS if limit is None or age <= limit)] += 1

    extended = session.exec(
        select(Ticket.extension_months).where(
            *of_type, col(Ticket.extended_at) >= since, col(Ticket.extended_at) < until
        )
    ).all()
    extensions: dict[int, int] = {1: 0, 2: 0}
    for months in extended:
        extensions[int(months or 0)] = extensions.get(int(months or 0), 0) + 1

    return Report(
        filter=report_filter,
        today=today,
        types=types,
        by_week=[WeekCount(week, counts) for week, counts in weeks.items()],
        by_type=by_type,
        closed=len(closed),
        on_time=on_time,
        median_days=_round(percentile(durations, 0.5)),
        p90_days=_round(percentile(durations, 0.9)),
        open_by_age=list(ages.items()),
        extensions=extensions,
        workload=_workload(
            session,
            [(status, due, assignee, waiting is not None) for status, due, assignee, waiting in open_now],
            [assignee for _, _, _, assignee in closed],
            today=today,
        ),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _workload(
    session: Session, open_now: list[tuple[str, date, int | None, bool]], closed_by: list[int | None], *, today: date
) -> list[AgentLoad]:
    """Per agent: open tickets (status, due date, assignee, waiting) today and closings in the period."""
    emails = {a.id: a.email for a in session.exec(select(Agent))}
    active = [a.email for a in session.exec(select(Agent).where(col(Agent.active).is_(True)))]
    counts: dict[str | None, dict[str, int]] = {email: {} for email in active}
    for status, due, assignee, waiting in open_now:
        row = counts.setdefault(emails.get(assignee) if assignee else None, {})
        row[status] = row.get(status, 0) + 1
        if waiting:
            row["waiting"] = row.get("waiting", 0) + 1
        if due < today:
            row["overdue"] = row.get("overdue", 0) + 1
    for assignee in closed_by:
        row = counts.setdefault(emails.get(assignee) if assignee else None, {})
        row["closed"] = row.get("closed", 0) + 1
    loads = [
        AgentLoad(
            agent=email,
            open=row.get("open", 0),
            in_progress=row.get("in_progress", 0),
            waiting_for_requester=row.get("waiting", 0),
            overdue=row.get("overdue", 0),
            closed=row.get("closed", 0),
        )
        for email, row in counts.items()
    ]
    return sorted(loads, key=lambda load: (load.agent is None, load.agent or ""))


CSV_HEADER = ["figure", "group", "detail", "value"]


def report_rows(report: Report) -> Iterator[list[Any]]:
    """The report as tidy CSV rows: figure, group, detail, value (the header first)."""
    yield CSV_HEADER
    for week in report.by_week:
        for kind in report.types:
            yield ["requests received", week.week.isoformat(), kind, week.counts.get(kind, 0)]
    for kind in report.types:
        yield ["requests received", "whole period", kind, report.by_type.get(kind, 0)]
    yield ["closed by the team", "whole period", "", report.closed]
    yield ["closed on time", "whole period", "", report.on_time]
    rate = report.on_time_rate
    yield ["on-time rate", "whole period", "", "" if rate is None else round(rate, 4)]
    yield ["days to close", "whole period", "median", "" if report.median_days is None else report.median_days]
    yield ["days to close", "whole period", "90th percentile", "" if report.p90_days is None else report.p90_days]
    for label, count in report.open_by_age:
        yield ["open by age", report.today.isoformat(), label, count]
    for months, count in sorted(report.extensions.items()):
        yield ["extensions used", "whole period", f"{months} month{'s' if months != 1 else ''}", count]
    for load in report.workload:
        who = load.agent or UNASSIGNED
        for what, value in (
            ("open", load.open),
            ("in progress", load.in_progress),
            ("waiting for requester", load.waiting_for_requester),
            ("overdue", load.overdue),
            ("closed in period", load.closed),
        ):
            yield ["workload", who, what, value]
