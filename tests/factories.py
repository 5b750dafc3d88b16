"""Test doubles at the true edges (time, outgoing mail) and small helpers to drive the bot."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store.models import OutboxMessage

# request type -> (opening message, answers to its own fields: ("click", id) or ("say", text))
REQUESTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "deletion": ("please delete all my personal data", [("click", "everything")]),
    "objection": (
        "I object to you processing my data",
        [
            ("click", "usage_analytics"),
            ("say", "I work on confidential projects and my usage patterns reveal client names."),
        ],
    ),
    "marketing_objection": ("stop sending me marketing emails", [("click", "email")]),
    "consent_revocation": ("I want to withdraw my consent", [("click", "targeting_cookies")]),
    "rectification": (
        "my phone number in the portal is wrong",
        [("click", "phone"), ("say", "+358 40 000 0000"), ("say", "+358 40 123 4567")],
    ),
    "access": ("please send me a copy of all my personal data", [("click", "everything")]),
    "portability": (
        "please export my data in a machine-readable format",
        [("click", "specific"), ("say", "My contact details and request history"), ("click", "json")],
    ),
    "handoff": ("I want to talk to a person", [("say", "I have a question about my company's account admin.")]),
}


class FakeClock:
    """A clock tests can move: `clock.advance(minutes=31)`."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.now = self.now + timedelta(**delta)


class RecordingSender:
    """An outbox Sender that keeps what it 'sent'; set `failing` to simulate an outage."""

    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []
        self.failing = False
        self._lock = threading.Lock()

    def send(self, message: OutboxMessage) -> None:
        if self.failing:
            raise ConnectionError("simulated outage")
        with self._lock:
            self.sent.append(message)

    def to(self, recipient: str) -> list[OutboxMessage]:
        return [m for m in self.sent if m.recipient == recipient]

    def last_code(self, recipient: str) -> str:
        for message in reversed(self.to(recipient)):
            match = re.search(r"\b(\d{6})\b", message.body)
            if message.kind == "verification_code" and match:
                return match.group(1)
        raise AssertionError(f"no verification code was sent to {recipient}")


class ChatDriver:
    """Drives POST /api/chat like a widget would, keeping the session id."""

    def __init__(self, client: Any, identity: dict[str, str] | None = None) -> None:
        self.client = client
        self.session_id: str | None = None
        self.identity = identity
        self.last: dict[str, Any] = {}

    def say(self, message: str = "", action: str | None = None, expect_status: int = 200) -> dict[str, Any]:
        body: dict[str, Any] = {"session_id": self.session_id, "message": message, "action": action}
        if self.identity:
            body["identity"] = self.identity
        response = self.client.post("/api/chat", json=body)
        assert response.status_code == expect_status, response.text
        data = response.json()
        if response.status_code == 200:
            self.session_id = data["session_id"]
            self.last = data
        return data

    def click(self, action: str) -> dict[str, Any]:
        return self.say("", action=action)

    @property
    def expecting(self) -> str | None:
        expecting = self.last.get("expecting")
        return expecting["field"] if expecting else None


# A month of casework with figures worked out by hand (tests/bot/test_reports.py says how).
# (number, type, received, status, closed, due, extended (at, months), assignee, waiting)
REPORT_PERIOD = ("2026-03-02", "2026-03-29")  # four ISO weeks; "today" is 2026-04-01
REPORT_TODAY = "2026-04-01"
_SEED: list[tuple[int, str, str, str, str | None, str, tuple[str, int] | None, str | None, bool]] = [
    (1, "deletion", "2026-03-02T10:00", "completed", "2026-03-12T10:00", "2026-04-02", None, "agent", False),
    (2, "deletion", "2026-03-03T10:00", "completed", "2026-03-23T10:00", "2026-04-03", None, "agent", False),
    (3, "objection", "2026-03-10T10:00", "rejected", "2026-03-14T10:00", "2026-04-10", None, "admin", False),
    (4, "access", "2026-02-01T10:00", "completed", "2026-03-05T10:00", "2026-03-01", None, "agent", False),
    (
        5,
        "rectification",
        "2026-01-20T10:00",
        "completed",
        "2026-03-25T10:00",
        "2026-04-20",
        ("2026-02-15T10:00", 2),
        "admin",
        False,
    ),
    (6, "deletion", "2026-03-16T12:00", "open", None, "2026-04-16", None, None, False),
    (7, "objection", "2026-03-24T09:00", "in_progress", None, "2026-05-24", ("2026-03-28T10:00", 1), "agent", True),
    (8, "access", "2026-02-20T09:00", "in_progress", None, "2026-03-20", None, "admin", False),
    (9, "handoff", "2026-03-29T23:30", "open", None, "2026-04-29", None, None, False),
    (10, "deletion", "2026-03-30T08:00", "open", None, "2026-04-30", None, None, False),
    (11, "marketing_objection", "2026-03-05T10:00", "withdrawn", "2026-03-06T10:00", "2026-04-05", None, None, False),
    (
        12,
        "consent_revocation",
        "2026-03-09T10:00",
        "completed",
        "2026-03-11T10:00",
        "2026-06-09",
        ("2026-03-10T10:00", 2),
        "agent",
        False,
    ),
]


def seed_report_data(db: Any, *, agent_ids: dict[str, int]) -> dict[int, str]:
    """Insert the tickets above (`agent_ids`: "agent"/"admin" → id); number → reference."""
    from datetime import date

    from bot.store.models import Ticket

    def when(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    references: dict[int, str] = {}
    with db.write() as session:
        for number, kind, received, status, closed, due, extended, assignee, waiting in _SEED:
            reference = f"PRV-REPT-{number:04d}"
            session.add(
                Ticket(
                    reference=reference,
                    type=kind,
                    status=status,
                    channel="web",
                    requester_email=f"r{number}@example.com",
                    verified_via="email_code",
                    verified_at=when(received),
                    received_at=when(received),
                    due_date=date.fromisoformat(due),
                    closed_at=when(closed) if closed else None,
                    extended_at=when(extended[0]) if extended else None,
                    extension_months=extended[1] if extended else None,
                    assignee_id=agent_ids[assignee] if assignee else None,
                    awaiting_requester_since=when(received) if waiting else None,
                    details={},
                )
            )
            references[number] = reference
    return references


START_OF_REPORTS = datetime(2026, 1, 1, tzinfo=UTC)
