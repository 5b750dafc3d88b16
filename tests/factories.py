"""Test doubles at the true edges (time, outgoing mail) and small helpers to drive the bot."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
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
