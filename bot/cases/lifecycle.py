"""The ticket lifecycle: which actions are allowed when, what they change, who hears of it.

open → in_progress → completed | rejected; open/in_progress → withdrawn (by the requester).
Every accepted action writes exactly one audit event; refused ones change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.cases.notices import (
    REJECTION_REASONS,
    Download,
    Notice,
    completed,
    extended,
    rejected,
    rejection_explanation,
    withdrawn,
)
from bot.cases.tickets import EXPORT_TYPES, OPEN_STATUSES, STATUS_LABELS, add_months, record_event, summary
from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import Agent, Ticket
from bot.store.outbox import notify_requester
from bot.types import TicketSummary

WITHDRAWN_OUTCOME = "You withdrew this request, so the privacy team stopped working on it."


def outcome(ticket: Ticket) -> str:
    """What the requester was told when the ticket closed ("" while it is open)."""
    if ticket.status == "completed":
        return ticket.resolution or ""
    if ticket.status == "rejected":
        return rejection_explanation(ticket.rejection_code or "", ticket.rejection_reason or "")
    if ticket.status == "withdrawn":
        return WITHDRAWN_OUTCOME
    return ""


def current_summary(ticket: Ticket) -> TicketSummary:
    """The ticket as the requester sees it now: its status and, once closed, the outcome."""
    closed = ticket.closed_at.date().isoformat() if ticket.closed_at and ticket.status not in OPEN_STATUSES else None
    return replace(summary(ticket), outcome=outcome(ticket), closed_on=closed)


ACTIONS = ("assign", "start", "extend", "complete", "reject", "withdraw")


@dataclass(frozen=True)
class ActionRequest:
    """An action on a ticket with the fields it may need."""

    action: str
    note: str | None = None
    reason: str | None = None
    months: int | None = None
    assignee: Agent | None = None
    # Completing an access or portability request: the download link, and what the audit event
    # records of the file (bot.cases.exports builds both).
    download: Download | None = None
    export: dict[str, Any] | None = None


def apply_action(session: Session, ticket: Ticket, request: ActionRequest, *, actor: str, now: datetime) -> Ticket:
    """Apply one lifecycle action or raise TransitionRefused / InvalidInput without changing anything."""
    handler = _HANDLERS.get(request.action)
    if handler is None:
        raise InvalidInput(f"Unknown action '{request.action}'. Use one of: {', '.join(ACTIONS)}.")
    before = ticket.status
    detail = handler(session, ticket, request, now)
    if ticket.status not in OPEN_STATUSES:
        ticket.awaiting_requester_since = None  # a closed ticket waits for no one
    ticket.updated_at = now
    session.add(ticket)
    record_event(
        session,
        ticket,
        actor=actor,
        action=request.action,
        at=now,
        from_status=before,
        to_status=ticket.status,
        detail=detail,
    )
    return ticket


def _tell(session: Session, ticket: Ticket, kind: str, notice: Notice, now: datetime) -> None:
    notify_requester(session, ticket, kind=kind, subject=notice.subject, body=notice.body, now=now, mail=notice.mail)


def _require_open(ticket: Ticket, action: str) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise TransitionRefused(f"Cannot {action} ticket {ticket.reference}: it is already {_status(ticket)}.")


def _status(ticket: Ticket) -> str:
    return STATUS_LABELS.get(ticket.status, ticket.status)


def _assign(session: Session, ticket: Ticket, request: ActionRequest, now: datetime) -> dict[str, Any]:
    _require_open(ticket, "assign")
    if request.assignee is None or request.assignee.id is None or not request.assignee.active:
        raise InvalidInput("Choose an active agent to assign the ticket to.")
    previous = ticket.assignee_id
    ticket.assignee_id = request.assignee.id
    return {"assignee": request.assignee.email, "previous_assignee_id": previous}


def _start(session: Session, ticket: Ticket, request: ActionRequest, now: datetime) -> dict[str, Any]:
    if ticket.status != "open":
        raise TransitionRefused(f"Only open tickets can be started; {ticket.reference} is {_status(ticket)}.")
    ticket.status = "in_progress"
    return {}


def _extend(session: Session, ticket: Ticket, request: ActionRequest, now: datetime) -> dict[str, Any]:
    _require_open(ticket, "extend")
    if ticket.extended_at is not None:
        raise TransitionRefused(
            f"Ticket {ticket.reference} has already been extended once; it cannot be extended again."
        )
    if now.date() > ticket.due_date:
        raise TransitionRefused(
            f"Ticket {ticket.reference} is past its due date ({ticket.due_date}); it can no longer be extended."
        )
    months = request.months if request.months is not None else 1
    if months not in (1, 2):
        raise InvalidInput("An extension is one or two months.")
    reason = (request.reason or "").strip()
    if not reason:
        raise InvalidInput("An extension needs a reason; the requester will be told it.")
    old_due = ticket.due_date
    ticket.due_date = add_months(ticket.due_date, months)
    ticket.extended_at, ticket.extension_months, ticket.extension_reason = now, months, reason
    _tell(session, ticket, "extended", extended(ticket, reason=reason, old_due=old_due), now)
    return {
        "months": months,
        "reason": reason,
        "old_due_date": old_due.isoformat(),
        "new_due_date": ticket.due_date.isoformat(),
    }


def _complete(session: Session, ticket: Ticket, request: ActionRequest, now: datetime) -> dict[str, Any]:
    if ticket.status != "in_progress":
        raise TransitionRefused(
            f"Only tickets in progress can be completed; {ticket.reference} is {_status(ticket)}. Start it first."
        )
    note = (request.note or "").strip()
    if not note:
        raise InvalidInput("Completing a ticket needs a resolution note for the requester.")
    if ticket.type in EXPORT_TYPES and request.download is None:
        raise TransitionRefused(
            f"{ticket.reference} is completed by uploading the export of the requester's data "
            "(a file saying that no data is held is an export too)."
        )
    ticket.status, ticket.closed_at, ticket.resolution = "completed", now, note
    _tell(session, ticket, "completed", completed(ticket, note=note, download=request.download), now)
    return {"resolution": note, **({"export": request.export} if request.export else {})}


def _reject(session: Session, ticket: Ticket, request: ActionRequest, now: datetime) -> dict[str, Any]:
    _require_open(ticket, "reject")
    code = (request.reason or "").strip()
    note = (request.note or "").strip()
    if code not in REJECTION_REASONS:
        raise InvalidInput(f"A rejection needs a reason: one of {', '.join(REJECTION_REASONS)}.")
    if code == "other" and not note:
        raise InvalidInput("Explain the reason when it is 'other'.")
    ticket.status, ticket.closed_at = "rejected", now
    ticket.rejection_code, ticket.rejection_reason = code, note or None
    _tell(session, ticket, "rejected", rejected(ticket, code=code, note=note), now)
    return {"reason": code, "note": note}


def _withdraw(session: Session, ticket: Ticket, request: ActionRequest, now: datetime) -> dict[str, Any]:
    _require_open(ticket, "withdraw")
    ticket.status, ticket.closed_at = "withdrawn", now
    _tell(session, ticket, "withdrawn", withdrawn(ticket), now)
    return {}


_HANDLERS = {
    "assign": _assign,
    "start": _start,
    "extend": _extend,
    "complete": _complete,
    "reject": _reject,
    "withdraw": _withdraw,
}
