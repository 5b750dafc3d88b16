"""SQLModel tables: tickets and their audit trail, conversations, codes, outbox, agents, casework,
and what the bot learns from (questions asked, votes, taught knowledge)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC now; SQLModel's UTCDateTime columns insist on aware datetimes."""
    return datetime.now(UTC)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TicketBase(SQLModel):
    reference: str = Field(max_length=20, unique=True, index=True)
    type: str = Field(max_length=32, index=True)
    status: str = Field(default="open", max_length=16, index=True)
    channel: str = Field(max_length=8)
    requester_email: str | None = Field(default=None, max_length=320, index=True)
    requester_name: str | None = Field(default=None, max_length=200)
    requester_company: str | None = Field(default=None, max_length=200)
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    slack_team_id: str | None = Field(default=None, max_length=32)
    verified_via: str = Field(max_length=32)
    verified_at: datetime
    received_at: datetime = Field(default_factory=utcnow, index=True)
    due_date: date = Field(index=True)
    extended_at: datetime | None = None
    extension_months: int | None = None
    extension_reason: str | None = Field(default=None, sa_column=Column(Text))
    closed_at: datetime | None = None
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    rejection_code: str | None = Field(default=None, max_length=32)
    rejection_reason: str | None = Field(default=None, sa_column=Column(Text))
    anonymized_at: datetime | None = None
    # Set while a question of the privacy team waits for the requester's answer (the due date stays).
    awaiting_requester_since: datetime | None = None


class Ticket(TicketBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    details: dict[str, Any] = _json()
    session_id: str | None = Field(default=None, max_length=64, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class TicketPublic(TicketBase):
    """A ticket as agents see it in lists and the API."""

    id: int
    details: dict[str, Any]
    assignee_email: str | None = None
    days_left: int


class TicketsPublic(SQLModel):
    data: list[TicketPublic]
    count: int


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=340)  # "requester", "system" or "agent:<email>"
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    detail: dict[str, Any] = _json()


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="agent.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    session_id: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=8)
    state: dict[str, Any] = _json()
    requester_email: str | None = Field(default=None, max_length=320)
    requester_name: str | None = Field(default=None, max_length=200)
    verified_via: str | None = Field(default=None, max_length=32)
    verified_at: datetime | None = None
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    slack_team_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class Turn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(max_length=64, index=True)
    role: str = Field(max_length=8)  # "user" or "bot"
    text: str = Field(sa_column=Column(Text, nullable=False))
    payload: dict[str, Any] = _json()
    created_at: datetime = Field(default_factory=utcnow, index=True)


class TicketTurn(SQLModel, table=True):
    """One turn of a ticket's own transcript: the turns of the flow that filed it, copied at filing,
    so a ticket's record never shows (nor loses) another request's conversation."""

    __tablename__ = "ticket_turn"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    turn_id: int | None = Field(default=None, index=True)  # the conversation turn it was copied from
    role: str = Field(max_length=8)
    text: str = Field(sa_column=Column(Text, nullable=False))
    payload: dict[str, Any] = _json()
    created_at: datetime = Field(default_factory=utcnow)


class VerificationCode(SQLModel, table=True):
    __tablename__ = "verification_code"
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(max_length=64, index=True)
    email: str = Field(max_length=320, index=True)
    code_hash: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    attempts: int = 0
    consumed_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=8)  # "email" or "slack"
    kind: str = Field(max_length=32)
    recipient: str = Field(max_length=320)
    subject: str = Field(default="", max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    payload: dict[str, Any] = _json()
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class Agent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str | None = Field(default=None, max_length=200)
    role: str = Field(default="agent", max_length=8)  # "agent" or "admin"
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    digest_opt_in: bool = False  # admins: the daily digest by e-mail
    can_teach: bool = False  # the "knowledge" permission for an agent (admins always hold it)


class ConsoleSession(SQLModel, table=True):
    __tablename__ = "console_session"
    id: str = Field(primary_key=True, max_length=64)  # SHA-256 of the cookie value
    agent_id: int = Field(foreign_key="agent.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Failed console sign-ins of one account (keyed by a hash of its e-mail) in the current window."""

    __tablename__ = "sign_in_throttle"
    account: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    window_start: datetime
    last_failure_at: datetime


class ProcessedEvent(SQLModel, table=True):
    """Dedupe keys for inbound deliveries (Slack retries), shared by every process."""

    __tablename__ = "processed_event"
    key: str = Field(primary_key=True, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class TicketMessage(SQLModel, table=True):
    """One message between the privacy team and the requester on a ticket (never an internal note)."""

    __tablename__ = "ticket_message"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    direction: str = Field(max_length=16)  # "to_requester" or "from_requester"
    author_id: int | None = Field(default=None, foreign_key="agent.id")  # the agent, for "to_requester"
    text: str = Field(sa_column=Column(Text, nullable=False))
    channel: str = Field(max_length=8)  # where it went or came from: "email", "slack", "web", "cli"
    expects_reply: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # When the chat put this message to the requester (web) or took up their answer to it (Slack).
    seen_in_chat_at: datetime | None = None


class DeadlineReminder(SQLModel, table=True):
    """A reminder about one ticket's due date at one threshold, recorded once (the unique key keeps a
    second runner or a catch-up from sending it twice); `sent` is False when a more urgent one
    went out instead (a run that came late)."""

    __tablename__ = "deadline_reminder"
    __table_args__ = (UniqueConstraint("ticket_id", "threshold", "due_date", name="uq_deadline_reminder"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    threshold: str = Field(max_length=16)  # "due_in_7", "due_in_2", "overdue"
    due_date: date  # the due date it was about: an extension re-arms the reminders
    sent: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class DailyDigest(SQLModel, table=True):
    """The day a digest went out (the primary key keeps it to one a day)."""

    __tablename__ = "daily_digest"
    day: date = Field(primary_key=True)
    sent_at: datetime = Field(default_factory=utcnow)


class SchedulerLease(SQLModel, table=True):
    """Who runs a background job now: one row per job, taken by the process whose lease is live."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    lease_until: datetime


class ExportFile(SQLModel, table=True):
    """A file that answers an access or portability request, downloadable through a link that only
    the requester can use (the link's secret is stored hashed)."""

    __tablename__ = "export_file"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    link_hash: str = Field(max_length=64, unique=True, index=True)
    stored_name: str = Field(max_length=64)  # random; the file's name under EXPORT_DIR
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: int | None = Field(default=None, foreign_key="agent.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    revoked_at: datetime | None = None
    revoked_by: int | None = Field(default=None, foreign_key="agent.id")
    deleted_at: datetime | None = None  # the file is gone (revoked, expired or purged); the row stays
    downloads: int = 0
    last_downloaded_at: datetime | None = None


class AskedQuestion(SQLModel, table=True):
    """A question the bot answered, said the statement does not say, or declined (e-mail addresses
    and phone numbers masked): what the Knowledge page groups and what a vote is about."""

    __tablename__ = "asked_question"
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(max_length=64, index=True)
    turn_id: int = Field(index=True)  # the bot turn that answered it
    channel: str = Field(max_length=8)
    question: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(max_length=16, index=True)  # "answered", "not_stated" or "declined"
    citations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # Set when an editor taught or dismissed the group it was in (it leaves the Knowledge page).
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id", index=True)


class AnswerFeedback(SQLModel, table=True):
    """One vote on one answer (a second click changes it): helpful or not."""

    __tablename__ = "answer_feedback"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="asked_question.id", unique=True, index=True)
    helpful: bool
    channel: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Lesson(SQLModel, table=True):
    """One teaching action on a group of questions: hints of a passage, not covered, or dismissed."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # "hint", "not_covered", "dismissed"
    passage_id: str | None = Field(default=None, max_length=32)
    source: str = Field(default="console", max_length=16)  # "console" or "import"
    created_by: str = Field(max_length=340)  # "agent:<email>" or "cli"
    created_at: datetime = Field(default_factory=utcnow)
    undone_by: str | None = Field(default=None, max_length=340)
    undone_at: datetime | None = None


class TaughtItem(SQLModel, table=True):
    """A taught hint (a question pointing at a passage) or a known-unanswered topic."""

    __tablename__ = "taught_item"
    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)
    kind: str = Field(max_length=16)  # "hint" or "not_covered"
    passage_id: str | None = Field(default=None, max_length=32)
    text: str = Field(max_length=500)
    active: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class KnowledgeEvent(SQLModel, table=True):
    """The audit trail of teaching: who did what, when."""

    __tablename__ = "knowledge_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=340)
    action: str = Field(max_length=32)  # "teach_hint", "teach_not_covered", "dismiss", "undo", "import"
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id", index=True)
    detail: dict[str, Any] = _json()


class KnowledgeVersion(SQLModel, table=True):
    """One row: a counter every change of taught knowledge bumps; processes poll it and reload."""

    __tablename__ = "knowledge_version"
    id: int = Field(default=1, primary_key=True)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


# Outbox polling scans by status and time; one composite index keeps that cheap.
Index("ix_outbox_due", OutboxMessage.status, OutboxMessage.next_attempt_at)  # type: ignore[arg-type]
