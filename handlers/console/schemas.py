"""Shapes of the agent API (documented in the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from bot.cases.casework import MAX_NOTE_CHARS, MAX_TEXT_CHARS
from bot.cases.messages import MAX_MESSAGE_CHARS
from bot.store.models import TicketPublic


class AuditEventPublic(SQLModel):
    """One entry of a ticket's audit trail: who, when, what, from → to."""

    at: datetime
    actor: str = Field(description='"requester", "system" or "agent:<email>"')
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


class NotePublic(SQLModel):
    """An internal note (never shown to the requester)."""

    id: int
    at: datetime
    author_email: str | None
    text: str


class MessagePublic(SQLModel):
    """A message between the privacy team and the requester."""

    id: int
    at: datetime
    direction: Literal["to_requester", "from_requester"]
    author_email: str | None = Field(description="The agent who wrote it; null for the requester's answers")
    channel: str = Field(description="Where it went or came from: email, slack, web or cli")
    expects_reply: bool
    seen_in_chat_at: datetime | None = Field(description="When the chat put it to the requester")
    text: str


class ExportPublic(SQLModel):
    """A file that answers an access or portability request (never its link, which only the requester has)."""

    id: int
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    deleted_at: datetime | None
    downloads: int
    last_downloaded_at: datetime | None
    live: bool = Field(description="The link still works (not revoked, not expired, not deleted)")


class TicketDetailPublic(TicketPublic):
    """A ticket with its audit trail (oldest first), internal notes, messages and exports."""

    events: list[AuditEventPublic]
    notes: list[NotePublic]
    messages: list[MessagePublic] = Field(default_factory=list)
    exports: list[ExportPublic] = Field(default_factory=list)


class DashboardPublic(BaseModel):
    open_by_type: dict[str, int]
    open_total: int
    overdue: int
    due_this_week: int
    median_days_to_close: float | None = Field(description="Completed or rejected in the last 90 days")


class ActionIn(BaseModel):
    """An action and the fields it needs.

    assign: `assignee` (an agent's e-mail; omitted = yourself) · start · extend: `months` (1 or 2; 1 when omitted),
    `reason` (told to the requester) · complete: `note` (resolution, sent to the requester) ·
    reject: `reason` (manifestly_unfounded, excessive, identity_not_verified or other) and `note`
    (required for other; sent to the requester).
    """

    model_config = ConfigDict(extra="ignore")
    action: Literal["assign", "start", "extend", "complete", "reject"]
    note: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    reason: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    months: int | None = Field(default=None, ge=1, le=2)
    assignee: str | None = Field(default=None, max_length=320, description="An active agent's e-mail")


class MessageIn(BaseModel):
    """A message to the requester: through their channel (Slack DM, else e-mail, and the chat)."""

    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    expects_reply: bool = Field(
        default=True, description='A question: the ticket shows "waiting for requester" until they answer'
    )


class WeekPublic(BaseModel):
    week: date = Field(description="The week's Monday")
    counts: dict[str, int]
    total: int


class CompletionPublic(BaseModel):
    closed: int = Field(description="Completed or rejected in the period")
    on_time: int = Field(description="Of those, closed on or before the due date in force")
    on_time_rate: float | None
    median_days: float | None = Field(description="Days from receipt to closing, median")
    p90_days: float | None = Field(description="Days from receipt to closing, 90th percentile")


class AgeBucketPublic(BaseModel):
    bucket: str
    count: int


class ExtensionsPublic(BaseModel):
    total: int
    one_month: int
    two_months: int


class WorkloadPublic(BaseModel):
    agent: str | None = Field(description="An agent's e-mail; null for unassigned tickets")
    open: int
    in_progress: int
    waiting_for_requester: int
    overdue: int
    closed: int = Field(description="Closed in the period while assigned to them")


class ReportPublic(BaseModel):
    """The Reports page's figures (definitions in the README)."""

    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    type: str | None
    received: int
    received_by_type: dict[str, int]
    received_by_week: list[WeekPublic]
    completion: CompletionPublic
    open_by_age: list[AgeBucketPublic]
    extensions: ExtensionsPublic
    workload: list[WorkloadPublic]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=MAX_NOTE_CHARS)


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail
