"""Tickets: creation with unique references and legal due dates, lookups, audit events."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from bot.errors import TicketNotFound
from bot.flows import TYPE_LABELS
from bot.store.models import AuditEvent, Ticket
from bot.types import Requester, TicketSummary

# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out on the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
OPEN_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("completed", "rejected", "withdrawn")
# Requests answered with a file (a copy of the requester's data): completed by uploading it.
EXPORT_TYPES = ("access", "portability")
STATUS_LABELS = {
    "open": "open",
    "in_progress": "in progress",
    "completed": "completed",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}


def new_reference() -> str:
    """PRV-7K3M-9QXT style: 40 random bits, so collisions are rare and retried when they happen."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"PRV-{chars[:4]}-{chars[4:]}"


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date_for(received_at: datetime) -> date:
    """GDPR Art. 12(3): one calendar month from receipt."""
    return add_months(received_at.date(), 1)


def long_date(day: date) -> str:
    """How a date reads in a message to the requester: "10 April 2026" (the widget's cards match)."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def summary(ticket: Ticket) -> TicketSummary:
    return TicketSummary(
        ticket.reference,
        ticket.type,
        ticket.status,
        ticket.due_date.isoformat(),
        type_label=TYPE_LABELS.get(ticket.type, ticket.type),
        status_label=STATUS_LABELS.get(ticket.status, ticket.status),
    )


def record_event(
    session: Session,
    ticket: Ticket,
    *,
    actor: str,
    action: str,
    at: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (who, when, what, from → to)."""
    assert ticket.id is not None
    event = AuditEvent(
        ticket_id=ticket.id,
        at=at,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
    )
    session.add(event)
    return event


def create_ticket(
    session: Session,
    *,
    type: str,
    requester: Requester,
    verified_at: datetime,
    channel: str,
    details: dict[str, Any],
    now: datetime,
    company: str | None = None,
    session_id: str | None = None,
) -> Ticket:
    """Insert a ticket with a fresh unique reference and its 'created' audit event."""
    if not requester.verified or not requester.verified_via:
        raise ValueError("a ticket needs a verified requester")
    for _ in range(10):
        ticket = Ticket(
            reference=new_reference(),
            type=type,
            status="open",
            channel=channel,
            requester_email=requester.email,
            requester_name=requester.name,
            requester_company=company or None,
            slack_user_id=requester.slack_user_id,
            slack_team_id=requester.slack_team_id,
            verified_via=requester.verified_via,
            verified_at=verified_at,
            received_at=now,
            due_date=due_date_for(now),
            details=details,
            session_id=session_id,
            updated_at=now,
        )
        # A savepoint keeps a reference collision from rolling back the caller's transaction.
        try:
            with session.begin_nested():
                session.add(ticket)
                session.flush()
        except IntegrityError:
            continue
        record_event(
            session,
            ticket,
            actor="requester",
            action="created",
            at=now,
            to_status="open",
            detail={"channel": channel, "verified_via": requester.verified_via},
        )
        return ticket
    raise RuntimeError("could not allocate a unique ticket reference")


def get_ticket(session: Session, reference: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.reference == reference.strip().upper())).first()


def find_ticket(session: Session, reference: str, *, lock: bool = False) -> Ticket:
    """The ticket with this reference or TicketNotFound; `lock` takes its row lock (PostgreSQL), so
    two agents cannot, say, both extend it."""
    query = select(Ticket).where(Ticket.reference == reference.strip().upper())
    ticket = session.exec(query.with_for_update() if lock else query).first()
    if ticket is None:
        raise TicketNotFound(f"There is no ticket {reference.strip().upper()[:20]}.")
    return ticket


def requester_tickets(session: Session, requester: Requester, *, limit: int = 20) -> list[Ticket]:
    """The requester's own tickets only: matched on the verified e-mail or Slack user."""
    conditions = []
    if requester.email and requester.verified:
        conditions.append(Ticket.requester_email == requester.email)
    if requester.slack_user_id:
        conditions.append(Ticket.slack_user_id == requester.slack_user_id)
    if not conditions:
        return []
    query = select(Ticket).where(or_(*conditions)).order_by(col(Ticket.received_at).desc()).limit(limit)
    return list(session.exec(query))
