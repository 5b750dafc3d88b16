"""Retention: closed tickets are anonymised, transcripts and codes deleted; the audit skeleton stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.access.identity import CodeVerifier
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.purge import RetentionPolicy, purge
from bot.cases.tickets import create_ticket
from bot.store.conversations import snapshot_transcript, ticket_transcript
from bot.store.db import Database
from bot.store.models import AuditEvent, Conversation, Note, Ticket, Turn, VerificationCode
from bot.store.outbox import notify_requester
from bot.types import Requester

START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
POLICY = RetentionPolicy(
    tickets_after=timedelta(days=365), transcripts_after=timedelta(days=90), codes_after=timedelta(days=1)
)


def _ticket(db: Database, session_id: str, email: str) -> str:
    requester = Requester(email=email, name="Nina Personal", verified_via="email_code")
    with db.write() as session:
        session.add(
            Conversation(
                session_id=session_id,
                channel="web",
                state={},
                requester_email=email,
                created_at=START,
                updated_at=START,
            )
        )
        session.add(Turn(session_id=session_id, role="user", text=f"delete me, I am {email}", created_at=START))
        ticket = create_ticket(
            session,
            type="deletion",
            requester=requester,
            verified_at=START,
            channel="web",
            details={"scope": "specific", "scope_detail": "my phone"},
            now=START,
            company="Acme",
            session_id=session_id,
        )
        assert ticket.id is not None
        snapshot_transcript(session, ticket_id=ticket.id, session_id=session_id, since=None)
        session.add(Note(ticket_id=ticket.id, text=f"called {email}", created_at=START))
        return ticket.reference


def test_closed_tickets_are_anonymised_after_the_period(db: Database) -> None:
    closed = _ticket(db, "s-closed", "nina@example.com")
    still_open = _ticket(db, "s-open", "olle@example.com")
    with db.write() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == closed)).one()
        apply_action(session, ticket, ActionRequest("start"), actor="agent:a@kone.com", now=START + timedelta(days=1))
        apply_action(
            session,
            ticket,
            ActionRequest("complete", note="Deleted Nina's phone number."),
            actor="agent:a@kone.com",
            now=START + timedelta(days=2),
        )
        notify_requester(session, ticket, kind="x", subject="s", body="b", now=START)

    with db.write() as session:  # not yet: a year has not passed since closing
        assert purge(session, now=START + timedelta(days=300), policy=POLICY).tickets_anonymised == 0

    later = START + timedelta(days=2 + 366)
    with db.write() as session:
        report = purge(session, now=later, policy=POLICY)
    assert report.tickets_anonymised == 1
    with db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == closed)).one()
        assert (ticket.requester_email, ticket.requester_name, ticket.requester_company, ticket.resolution) == (
            None,
        ) * 4
        assert ticket.details == {"anonymised": True} and ticket.anonymized_at is not None
        assert (ticket.type, ticket.status, ticket.due_date) == ("deletion", "completed", ticket.due_date)
        events = session.exec(select(AuditEvent).where(AuditEvent.ticket_id == ticket.id)).all()
        assert [e.action for e in events] == ["created", "start", "complete"]  # the skeleton stays
        assert all(e.detail == {} for e in events)
        assert session.exec(select(Note).where(Note.ticket_id == ticket.id)).all() == []
        assert session.exec(select(Turn).where(Turn.session_id == "s-closed")).all() == []
        assert ticket.id is not None and ticket_transcript(session, ticket.id) == []
        # The open ticket keeps its record and its own transcript (the conversation itself is past
        # the transcript period, so its live turns went on schedule).
        kept = session.exec(select(Ticket).where(Ticket.reference == still_open)).one()
        assert kept.requester_email == "olle@example.com" and kept.id is not None
        assert [t.text for t in ticket_transcript(session, kept.id)] == ["delete me, I am olle@example.com"]


def test_old_transcripts_and_codes_go(db: Database) -> None:
    with db.write() as session:
        session.add(Conversation(session_id="chat-only", channel="web", state={}, created_at=START, updated_at=START))
        session.add(Turn(session_id="chat-only", role="user", text="hello", created_at=START))
        CodeVerifier("k" * 32).issue(session, session_id="chat-only", email="p@example.com", now=START)
    with db.write() as session:
        report = purge(session, now=START + timedelta(days=91), policy=POLICY)
    assert (report.turns_deleted, report.conversations_deleted, report.codes_deleted) == (1, 1, 1)
    with db.read() as session:
        assert session.exec(select(VerificationCode)).all() == []


def test_dry_run_changes_nothing(db: Database) -> None:
    with db.write() as session:
        session.add(Turn(session_id="x", role="user", text="hello", created_at=START))
    with db.write() as session:
        report = purge(session, now=START + timedelta(days=100), policy=POLICY, dry_run=True)
    assert report.turns_deleted == 1
    with db.read() as session:
        assert len(session.exec(select(Turn)).all()) == 1
