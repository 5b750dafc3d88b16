"""Working one ticket: its case file (details, transcript, messages, exports, audit, notes), agent
actions and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.access.agents import actor_for, get_agent_by_email
from bot.cases.exports import ticket_exports
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.messages import ticket_messages
from bot.cases.queue import days_left
from bot.cases.tickets import find_ticket, record_event
from bot.errors import InvalidInput
from bot.store.conversations import ticket_transcript
from bot.store.models import Agent, AuditEvent, ExportFile, Note, Ticket, TicketMessage, TicketTurn
from bot.validation import clean_text

AGENT_ACTIONS = ("assign", "start", "extend", "complete", "reject")  # "withdraw" is the requester's
MAX_NOTE_CHARS = 5000
MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class CaseFile:
    """Everything an agent sees about one ticket."""

    ticket: Ticket
    assignee: Agent | None
    events: list[AuditEvent]
    notes: list[tuple[Note, str | None]]
    transcript: list[TicketTurn]  # the turns of the flow that filed this ticket, and no other
    messages: list[tuple[TicketMessage, str | None]] = field(default_factory=list)  # with the agent's e-mail
    exports: list[ExportFile] = field(default_factory=list)


_find = find_ticket


def load_case(session: Session, reference: str) -> CaseFile:
    """The ticket with its assignee, audit trail (oldest first), notes, transcript, messages and exports."""
    ticket = _find(session, reference)
    assignee = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    events = list(
        session.exec(
            select(AuditEvent).where(AuditEvent.ticket_id == ticket.id).order_by(col(AuditEvent.at), col(AuditEvent.id))
        )
    )
    notes: list[tuple[Note, str | None]] = [
        (n, e)
        for n, e in session.exec(
            select(Note, Agent.email)
            .outerjoin(Agent, col(Agent.id) == Note.author_id)
            .where(Note.ticket_id == ticket.id)
            .order_by(col(Note.created_at), col(Note.id))
        )
    ]
    assert ticket.id is not None
    transcript = ticket_transcript(session, ticket.id)
    return CaseFile(
        ticket=ticket,
        assignee=assignee,
        events=events,
        notes=notes,
        transcript=transcript,
        messages=ticket_messages(session, ticket.id),
        exports=ticket_exports(session, ticket.id),
    )


def _text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    text = clean_text(value)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"The {what} is limited to {MAX_TEXT_CHARS} characters.")
    return text or None


def perform_action(
    session: Session,
    *,
    reference: str,
    action: str,
    actor: Agent,
    now: datetime,
    note: str | None = None,
    reason: str | None = None,
    months: int | None = None,
    assignee_email: str | None = None,
) -> Ticket:
    """One agent action through the lifecycle (one audit event); assign without an e-mail = to me."""
    if action not in AGENT_ACTIONS:
        raise InvalidInput(f"Unknown action '{action}'. Use one of: {', '.join(AGENT_ACTIONS)}.")
    ticket = _find(session, reference, lock=True)
    assignee = None
    if action == "assign":
        assignee = get_agent_by_email(session, assignee_email) if assignee_email else actor
        if assignee is None:
            raise InvalidInput("There is no active agent with that e-mail address.")
    request = ActionRequest(
        action=action, note=_text(note, "note"), reason=_text(reason, "reason"), months=months, assignee=assignee
    )
    return apply_action(session, ticket, request, actor=actor_for(actor), now=now)


def add_note(session: Session, *, reference: str, author: Agent, text: str, now: datetime) -> Note:
    """An internal note (never shown to the requester); the audit trail records that one was added."""
    body = clean_text(text or "")
    if not body:
        raise InvalidInput("A note cannot be empty.")
    if len(body) > MAX_NOTE_CHARS:
        raise InvalidInput(f"Notes are limited to {MAX_NOTE_CHARS} characters.")
    ticket = _find(session, reference)
    assert ticket.id is not None
    note = Note(ticket_id=ticket.id, author_id=author.id, text=body, created_at=now)
    session.add(note)
    session.flush()
    record_event(session, ticket, actor=actor_for(author), action="note", at=now, detail={"note_id": note.id})
    return note


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "detail": event.detail,
    }


def case_record(case: CaseFile, *, today: date) -> dict[str, Any]:
    """The ticket's full record for the privacy team's files (JSON-ready)."""
    ticket = case.ticket
    dumped = ticket.model_dump(mode="json", exclude={"assignee_id"})
    record = {name: dumped[name] for name in Ticket.model_fields if name in dumped}  # reference first, stable
    record.update(
        assignee_email=case.assignee.email if case.assignee else None,
        days_left=days_left(ticket, today),
        events=[_event(e) for e in case.events],
        notes=[{"at": n.created_at.isoformat(), "author": email, "text": n.text} for n, email in case.notes],
        transcript=[{"at": t.created_at.isoformat(), "role": t.role, "text": t.text} for t in case.transcript],
        messages=[
            {
                "at": m.created_at.isoformat(),
                "direction": m.direction,
                "author": email if m.direction == "to_requester" else "requester",
                "channel": m.channel,
                "expects_reply": m.expects_reply,
                "text": m.text,
            }
            for m, email in case.messages
        ],
        exports=[_export(e) for e in case.exports],
    )
    return record


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _export(export: ExportFile) -> dict[str, Any]:
    stamp = _stamp
    return {
        "id": export.id,
        "content_type": export.content_type,
        "size": export.size,
        "sha256": export.sha256,
        "uploaded_at": stamp(export.uploaded_at),
        "expires_at": stamp(export.expires_at),
        "revoked_at": stamp(export.revoked_at),
        "deleted_at": stamp(export.deleted_at),
        "downloads": export.downloads,
        "last_downloaded_at": stamp(export.last_downloaded_at),
    }
