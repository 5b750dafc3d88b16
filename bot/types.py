"""The conversation's vocabulary, shared by the engine and every channel adapter.

`Reply` and what it carries are pydantic dataclasses: the same objects are the engine's result,
the JSON of `POST /api/chat` (DESIGN §4) and the bot turns kept in a transcript, so the shape is
described once. Request types and their labels live in `bot.flows` (the request catalogue).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, TypeAdapter
from pydantic.dataclasses import dataclass

Intent = Literal[
    "question",
    "greeting",
    "out_of_scope",
    "deletion",
    "objection",
    "marketing_objection",
    "consent_revocation",
    "rectification",
    "access",
    "portability",
    "handoff",
    "ticket_status",
    "cancel",
]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]
Channel = Literal["web", "slack", "cli"]
FieldKind = Literal["text", "email", "code", "choice", "confirm"]


@dataclass(frozen=True)
class Requester:
    """Who is talking, as far as the channel can vouch for it."""

    email: str | None = None
    name: str | None = None
    verified_via: str | None = None  # "signed_identity", "email_code", "slack"
    slack_user_id: str | None = None
    slack_team_id: str | None = None

    @property
    def verified(self) -> bool:
        return bool(self.email and self.verified_via)


@dataclass(frozen=True)
class Inbound:
    """One user turn, translated from any channel."""

    channel: Channel
    text: str = ""
    session_id: str | None = None
    action: str | None = None
    requester: Requester | None = None
    # A signed identity was offered but did not verify: the user is told so.
    identity_rejected: bool = False
    # Who per-client limits count against (the peer address for the web); never logged.
    client_key: str | None = None
    # Said where others can read it (a Slack channel): requests continue in a private place.
    public: bool = False


STATEMENT_PAGE = "/statement"  # the statement as a page of its own (handlers/statement.py serves it)


def section_anchor(section: str) -> str:
    """The id of a section on the statement page."""
    return f"section-{section}"


def section_url(section: str) -> str:
    """Where a section of the statement is read: its anchor on the statement page (DESIGN §10)."""
    return f"{STATEMENT_PAGE}#{section_anchor(section)}"


@dataclass(frozen=True)
class Citation:
    section: str
    title: str
    quote: str
    # A link to the section on the statement page, relative to the service (a widget embedded on
    # another site resolves it against the API's origin). Derived from `section` when not given,
    # so transcripts kept before the field existed get it too.
    url: str = ""

    def __post_init__(self) -> None:
        if not self.url:
            object.__setattr__(self, "url", section_url(self.section))


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class Expecting:
    field: str
    kind: FieldKind
    prompt: str
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class TicketSummary:
    reference: str
    type: str
    status: str
    due_date: str  # YYYY-MM-DD
    type_label: str = ""  # "Deletion (erasure)": channels show these words, never invent their own
    status_label: str = ""  # "in progress"
    # Once closed: what the privacy team decided (the resolution note, or the rejection's reason)
    # and the day it was closed (YYYY-MM-DD).
    outcome: str = ""
    closed_on: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot says back: the channel renders it (HTML-escaped text, Slack mrkdwn, terminal)."""

    session_id: str
    reply: str
    intent: str
    citations: tuple[Citation, ...] = ()
    expecting: Expecting | None = None
    ticket: TicketSummary | None = None
    # For channels with a public place (Slack): the action that continues this turn in a private
    # conversation with the user. Never part of the JSON reply.
    continue_in_dm: str | None = Field(default=None, exclude=True)
    # The kept question this reply answered (`AskedQuestion.id`), for channels whose feedback
    # buttons name it (Slack). Never part of the JSON reply: the web votes by turn index.
    answer_id: int | None = Field(default=None, exclude=True)


REPLY_JSON: TypeAdapter[Reply] = TypeAdapter(Reply)


def reply_json(reply: Reply) -> dict[str, object]:
    """The JSON shape of DESIGN §4 (what `POST /api/chat` returns and a transcript keeps)."""
    return REPLY_JSON.dump_python(reply, mode="json")  # type: ignore[no-any-return]
