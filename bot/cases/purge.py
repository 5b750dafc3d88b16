"""Retention: anonymise closed tickets and delete transcripts, codes and stale keys on schedule.

What stays after anonymisation is the audit skeleton a privacy team must be able to show: the
reference, type, statuses and dates of every step, and which agent acted. What goes is everything
that identifies or describes the requester: contact details, free text, notes, the transcript,
the messages exchanged with the requester and the exported copies of their data. Export files are
removed from disk by the caller once the transaction has committed (`export_files_deleted`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.cases.exports import expired_files, ticket_files
from bot.cases.tickets import CLOSED_STATUSES
from bot.store import dedupe
from bot.store.models import (
    AnswerFeedback,
    AskedQuestion,
    AuditEvent,
    ConsoleSession,
    Conversation,
    Note,
    OutboxMessage,
    Ticket,
    TicketMessage,
    TicketTurn,
    Turn,
    VerificationCode,
)


@dataclass
class PurgeReport:
    tickets_anonymised: int = 0
    turns_deleted: int = 0
    questions_deleted: int = 0  # kept questions and their votes follow the transcripts
    ticket_transcripts_deleted: int = 0
    conversations_deleted: int = 0
    codes_deleted: int = 0
    outbox_scrubbed: int = 0
    dedupe_keys_deleted: int = 0
    console_sessions_deleted: int = 0
    messages_scrubbed: int = 0
    # Stored names of the export files to remove from disk after the commit (ended links, purged tickets).
    export_files_deleted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{name.replace('_', ' ')}: {len(value) if isinstance(value, list) else value}"
            for name, value in vars(self).items()
        ]


@dataclass(frozen=True)
class RetentionPolicy:
    tickets_after: timedelta  # after closing
    transcripts_after: timedelta  # after the last turn
    codes_after: timedelta  # after issue
    dedupe_after: timedelta = timedelta(days=1)


def purge(session: Session, *, now: datetime, policy: RetentionPolicy, dry_run: bool = False) -> PurgeReport:
    """Apply the retention policy in one transaction (the caller commits, or rolls back a dry run)."""
    report = PurgeReport()
    _anonymise_closed_tickets(session, now - policy.tickets_after, now, report)
    stale = now - policy.transcripts_after
    # A ticket's transcript is its own copy (ticket_turn), kept until the ticket is anonymised, so
    # conversations themselves go on the transcript schedule whether or not they filed something.
    report.turns_deleted = _count_delete(session, delete(Turn).where(col(Turn.created_at) < stale))
    # Questions kept for the Knowledge page and their votes go with the transcripts; what was taught
    # from them stays (it holds no personal data: questions are masked before they are kept).
    stale_questions = select(AskedQuestion.id).where(col(AskedQuestion.created_at) < stale)
    _count_delete(session, delete(AnswerFeedback).where(col(AnswerFeedback.question_id).in_(stale_questions)))
    report.questions_deleted = _count_delete(
        session, delete(AskedQuestion).where(col(AskedQuestion.created_at) < stale)
    )
    report.conversations_deleted = _count_delete(
        session, delete(Conversation).where(col(Conversation.updated_at) < stale)
    )
    report.outbox_scrubbed = session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) != "pending",
            col(OutboxMessage.created_at) < stale,
            col(OutboxMessage.recipient) != "",
        )
        .values(recipient="", body="[purged]", subject="", payload={})
    ).rowcount
    report.codes_deleted = _count_delete(
        session, delete(VerificationCode).where(col(VerificationCode.created_at) < now - policy.codes_after)
    )
    report.dedupe_keys_deleted = dedupe.purge(session, now=now, older_than=policy.dedupe_after)
    report.console_sessions_deleted = _count_delete(
        session, delete(ConsoleSession).where(col(ConsoleSession.expires_at) < now)
    )
    report.export_files_deleted += expired_files(session, now=now)
    if dry_run:
        session.rollback()
    return report


def _anonymise_closed_tickets(session: Session, closed_before: datetime, now: datetime, report: PurgeReport) -> None:
    tickets = session.exec(
        select(Ticket).where(
            col(Ticket.status).in_(CLOSED_STATUSES),
            col(Ticket.closed_at) < closed_before,
            col(Ticket.anonymized_at).is_(None),
        )
    ).all()
    for ticket in tickets:
        _delete_transcript(session, ticket, report)
        session.exec(delete(Note).where(col(Note.ticket_id) == ticket.id))
        report.messages_scrubbed += int(
            session.exec(
                update(TicketMessage).where(col(TicketMessage.ticket_id) == ticket.id).values(text="[purged]")
            ).rowcount
            or 0
        )
        assert ticket.id is not None
        report.export_files_deleted += ticket_files(session, ticket.id, now=now)
        session.exec(update(AuditEvent).where(col(AuditEvent.ticket_id) == ticket.id).values(detail={}))
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.ticket_id) == ticket.id, col(OutboxMessage.status) != "pending")
            .values(recipient="", body="[purged]", subject="", payload={})
        )
        ticket.requester_email = ticket.requester_name = ticket.requester_company = None
        ticket.slack_user_id = ticket.slack_team_id = ticket.session_id = None
        ticket.resolution = ticket.rejection_reason = ticket.extension_reason = None
        ticket.details = {"anonymised": True}
        ticket.anonymized_at = now
        session.add(ticket)
        report.tickets_anonymised += 1


def _delete_transcript(session: Session, ticket: Ticket, report: PurgeReport) -> None:
    """This ticket's transcript, and the conversation turns it was copied from — only those no
    other ticket's transcript holds: another request of the same conversation keeps its own."""
    others = select(TicketTurn.turn_id).where(
        col(TicketTurn.ticket_id) != ticket.id, col(TicketTurn.turn_id).is_not(None)
    )
    mine = select(TicketTurn.turn_id).where(
        col(TicketTurn.ticket_id) == ticket.id, col(TicketTurn.turn_id).is_not(None)
    )
    report.turns_deleted += _count_delete(
        session, delete(Turn).where(col(Turn.id).in_(mine), col(Turn.id).not_in(others))
    )
    report.ticket_transcripts_deleted += _count_delete(
        session, delete(TicketTurn).where(col(TicketTurn.ticket_id) == ticket.id)
    )


def _count_delete(session: Session, statement: Any) -> int:
    return int(session.exec(statement).rowcount or 0)
