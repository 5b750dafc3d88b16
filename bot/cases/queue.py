"""The agents' queue: filtered, searched, sorted and paginated tickets, the dashboard, CSV rows."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false
from sqlmodel import Session, col, func, or_, select

from bot.cases.readable import CHANNEL_LABELS, REJECTION_TITLES, VERIFICATION_LABELS, request_content
from bot.cases.tickets import OPEN_STATUSES, STATUS_LABELS
from bot.errors import InvalidInput
from bot.flows import TYPE_LABELS
from bot.store.models import Agent, Ticket, TicketPublic

STATUS_FILTERS = ("active", "all", *STATUS_LABELS)  # "active" = open or in progress
SORTS = {
    "due": "due date, soonest first",
    "-due": "due date, latest first",
    "received": "received, oldest first",
    "-received": "received, newest first",
}
PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_EXPORT_ROWS = 50_000
CLOSED_FOR_MEDIAN = ("completed", "rejected")  # closed by an agent; withdrawals are the requester's
MEDIAN_WINDOW_DAYS = 90
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class QueueFilter:
    """What an agent asked to see; every field optional. `assignee` is "me", "none" or an e-mail."""

    status: str = "all"
    type: str | None = None
    assignee: str | None = None
    overdue: bool = False
    due_within: int | None = None
    q: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = PER_PAGE

    def __post_init__(self) -> None:
        if self.status not in STATUS_FILTERS:
            raise InvalidInput(f"Unknown status filter '{self.status}'. Use one of: {', '.join(STATUS_FILTERS)}.")
        if self.type is not None and self.type not in TYPE_LABELS:
            raise InvalidInput(f"Unknown request type '{self.type}'. Use one of: {', '.join(TYPE_LABELS)}.")
        if self.sort not in SORTS:
            raise InvalidInput(f"Unknown sort '{self.sort}'. Use one of: {', '.join(SORTS)}.")
        if self.due_within is not None and not 0 <= self.due_within <= 366:
            raise InvalidInput("due_within is a number of days between 0 and 366.")
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"page starts at 1; per_page is between 1 and {MAX_PER_PAGE}.")
        if self.q is not None and len(self.q) > 200:
            raise InvalidInput("Search for at most 200 characters.")


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: tickets with their assignee's e-mail, and the total count."""

    rows: list[tuple[Ticket, str | None]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Dashboard:
    """The figures above the queue."""

    open_by_type: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    due_this_week: int = 0
    median_days_to_close: float | None = None

    @property
    def open_total(self) -> int:
        return sum(self.open_by_type.values())


def days_left(ticket: Ticket, today: date) -> int:
    """Days until the due date (negative once overdue)."""
    return (ticket.due_date - today).days


def urgency(ticket: Ticket, today: date) -> str:
    """The days-left badge: green ≥ 10, amber < 10, red < 5 or overdue; closed tickets have none."""
    if ticket.status not in OPEN_STATUSES:
        return "closed"
    left = days_left(ticket, today)
    return "red" if left < 5 else "amber" if left < 10 else "green"


def to_public(ticket: Ticket, assignee_email: str | None, today: date) -> TicketPublic:
    return TicketPublic.model_validate(
        ticket, update={"assignee_email": assignee_email, "days_left": days_left(ticket, today)}
    )


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(session: Session, queue: QueueFilter, *, today: date, me_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if queue.status == "active" or queue.overdue or queue.due_within is not None:
        conditions.append(col(Ticket.status).in_(OPEN_STATUSES))
    if queue.status not in ("active", "all"):
        conditions.append(col(Ticket.status) == queue.status)
    if queue.type:
        conditions.append(col(Ticket.type) == queue.type)
    if queue.assignee == "none":
        conditions.append(col(Ticket.assignee_id).is_(None))
    elif queue.assignee:
        agent_id = (
            me_id
            if queue.assignee == "me"
            else session.exec(select(Agent.id).where(Agent.email == queue.assignee.strip().lower())).first()
        )
        # `== None` would compile to IS NULL (the unassigned tickets); an unknown agent matches nothing.
        conditions.append(col(Ticket.assignee_id) == agent_id if agent_id is not None else false())
    if queue.overdue:
        conditions.append(col(Ticket.due_date) < today)
    if queue.due_within is not None:
        conditions.append(col(Ticket.due_date).between(today, today + timedelta(days=queue.due_within)))
    term = (queue.q or "").strip()
    if term:
        pattern = _like(term)
        conditions.append(
            or_(
                col(Ticket.reference).ilike(_like(term.upper()), escape="\\"),
                col(Ticket.requester_email).ilike(pattern, escape="\\"),
                col(Ticket.requester_name).ilike(pattern, escape="\\"),
            )
        )
    return conditions


def _ordering(sort: str) -> list[Any]:
    column = col(Ticket.due_date) if sort.lstrip("-") == "due" else col(Ticket.received_at)
    direction = column.desc() if sort.startswith("-") else column.asc()
    return [direction, col(Ticket.received_at).asc(), col(Ticket.id).asc()]


def list_tickets(session: Session, queue: QueueFilter, *, today: date, me_id: int | None = None) -> QueuePage:
    """The page of tickets the filter selects, with the total across all pages."""
    conditions = _conditions(session, queue, today=today, me_id=me_id)
    total = session.exec(select(func.count()).select_from(Ticket).where(*conditions)).one()
    rows = session.exec(
        select(Ticket, Agent.email)
        .outerjoin(Agent, col(Agent.id) == Ticket.assignee_id)
        .where(*conditions)
        .order_by(*_ordering(queue.sort))
        .offset((queue.page - 1) * queue.per_page)
        .limit(queue.per_page)
    ).all()
    return QueuePage(rows=[(t, e) for t, e in rows], total=total, page=queue.page, per_page=queue.per_page)


def export_tickets(
    session: Session, queue: QueueFilter, *, today: date, me_id: int | None = None
) -> list[tuple[Ticket, str | None]]:
    """Every ticket the filter selects (all pages), for CSV export."""
    conditions = _conditions(session, queue, today=today, me_id=me_id)
    rows = session.exec(
        select(Ticket, Agent.email)
        .outerjoin(Agent, col(Agent.id) == Ticket.assignee_id)
        .where(*conditions)
        .order_by(*_ordering(queue.sort))
        .limit(MAX_EXPORT_ROWS)
    ).all()
    return [(t, e) for t, e in rows]


def dashboard(session: Session, *, now: datetime) -> Dashboard:
    """Open tickets by type, overdue, due within a week, median days to close (last 90 days)."""
    today = now.date()
    active = col(Ticket.status).in_(OPEN_STATUSES)
    by_type = dict(session.exec(select(Ticket.type, func.count()).where(active).group_by(Ticket.type)).all())
    overdue = session.exec(select(func.count()).select_from(Ticket).where(active, col(Ticket.due_date) < today)).one()
    week = session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(active, col(Ticket.due_date).between(today, today + timedelta(days=7)))
    ).one()
    closed = session.exec(
        select(Ticket.received_at, Ticket.closed_at).where(
            col(Ticket.status).in_(CLOSED_FOR_MEDIAN), col(Ticket.closed_at) >= now - timedelta(days=MEDIAN_WINDOW_DAYS)
        )
    ).all()
    durations = [(closed_at - received).total_seconds() / 86400 for received, closed_at in closed if closed_at]
    return Dashboard(
        open_by_type={kind: by_type[kind] for kind in TYPE_LABELS if by_type.get(kind)},
        overdue=overdue,
        due_this_week=week,
        median_days_to_close=round(statistics.median(durations), 1) if durations else None,
    )


@dataclass(frozen=True)
class TicketLoad:
    """Open work for monitoring: tickets per open status, and how many of them are overdue."""

    open_by_status: dict[str, int]
    overdue: int


def ticket_load(session: Session, *, today: date) -> TicketLoad:
    """Two aggregate queries over indexed columns: cheap enough for every metrics scrape."""
    active = col(Ticket.status).in_(OPEN_STATUSES)
    by_status = dict(session.exec(select(Ticket.status, func.count()).where(active).group_by(Ticket.status)).all())
    overdue = session.exec(select(func.count()).select_from(Ticket).where(active, col(Ticket.due_date) < today)).one()
    return TicketLoad(open_by_status={status: by_status.get(status, 0) for status in OPEN_STATUSES}, overdue=overdue)


# Human column names and values (labels, not codes); times to the second, in UTC.
CSV_HEADER = [
    "Reference",
    "Type",
    "Request",
    "Status",
    "Channel",
    "Requester name",
    "Requester e-mail",
    "Requester company",
    "Slack user",
    "Identity verified by",
    "Verified at (UTC)",
    "Received at (UTC)",
    "Due date",
    "Days left",
    "Extended by (months)",
    "Extension reason",
    "Assignee",
    "Closed at (UTC)",
    "Resolution",
    "Rejection reason",
    "Rejection explanation",
]


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas: text starting with = + - @ or a control character."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _stamp(value: datetime | date | None) -> str:
    """2026-03-10 09:00:05 for a time (UTC), 2026-03-10 for a day."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value.isoformat()


def csv_rows(rows: Iterable[tuple[Ticket, str | None]], *, today: date) -> Iterator[list[Any]]:
    """The header, then one row per ticket with what was asked (never the transcript), formula-safe."""
    yield CSV_HEADER
    for ticket, assignee in rows:
        is_open = ticket.status in OPEN_STATUSES
        yield [
            csv_safe(v)
            for v in (
                ticket.reference,
                TYPE_LABELS.get(ticket.type, ticket.type),
                request_content(ticket),
                STATUS_LABELS.get(ticket.status, ticket.status),
                CHANNEL_LABELS.get(ticket.channel, ticket.channel),
                ticket.requester_name or "",
                ticket.requester_email or "",
                ticket.requester_company or "",
                ticket.slack_user_id or "",
                VERIFICATION_LABELS.get(ticket.verified_via, ticket.verified_via),
                _stamp(ticket.verified_at),
                _stamp(ticket.received_at),
                _stamp(ticket.due_date),
                days_left(ticket, today) if is_open else "",  # a closed ticket has no deadline left
                ticket.extension_months or "",
                ticket.extension_reason or "",
                assignee or "",
                _stamp(ticket.closed_at),
                ticket.resolution or "",
                REJECTION_TITLES.get(ticket.rejection_code or "", ticket.rejection_code or ""),
                ticket.rejection_reason or "",
            )
        ]
