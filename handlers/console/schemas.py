"""Shapes of the agent API (documented in the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from bot.cases.casework import MAX_NOTE_CHARS, MAX_TEXT_CHARS
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


class TicketDetailPublic(TicketPublic):
    """A ticket with its audit trail (oldest first) and internal notes."""

    events: list[AuditEventPublic]
    notes: list[NotePublic]


class DashboardPublic(BaseModel):
    open_by_type: dict[str, int]
    open_total: int
    overdue: int
    due_this_week: int
    median_days_to_close: float | None = Field(description="Completed or rejected in the last 90 days")


class ActionIn(BaseModel):
    """An action and the fields it needs.

    assign: `assignee` (an agent's e-mail; omitted = yourself) · start · extend: `months` (1 or 2),
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


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=MAX_NOTE_CHARS)


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail
