"""The conversation's vocabulary, shared by the engine and every channel adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Intent = Literal[
    "question",
    "greeting",
    "out_of_scope",
    "deletion",
    "objection",
    "marketing_objection",
    "consent_revocation",
    "rectification",
    "handoff",
    "ticket_status",
    "cancel",
]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]
REQUEST_TYPES: tuple[str, ...] = (
    "deletion",
    "objection",
    "marketing_objection",
    "consent_revocation",
    "rectification",
    "handoff",
)
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


@dataclass(frozen=True)
class Citation:
    section: str
    title: str
    quote: str


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


@dataclass(frozen=True)
class Reply:
    """What the bot says back: the channel renders it (HTML-escaped text, Slack mrkdwn, terminal)."""

    session_id: str
    reply: str
    intent: str
    citations: tuple[Citation, ...] = ()
    expecting: Expecting | None = None
    ticket: TicketSummary | None = None
    # Side information for channels (never personal data): e.g. "move_to_dm" for Slack.
    hints: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of DESIGN §4."""
        return {
            "session_id": self.session_id,
            "reply": self.reply,
            "intent": self.intent,
            "citations": [c.__dict__.copy() for c in self.citations],
            "expecting": None
            if self.expecting is None
            else {
                "field": self.expecting.field,
                "kind": self.expecting.kind,
                "prompt": self.expecting.prompt,
                "choices": [c.__dict__.copy() for c in self.expecting.choices],
            },
            "ticket": None if self.ticket is None else self.ticket.__dict__.copy(),
        }
