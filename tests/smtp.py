"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: stores parsed messages; tests wait for the ones they expect."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._changed:
            self.messages.append(message)  # type: ignore[arg-type]
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(
        self, address: str, *, subject_contains: str = "", count: int = 1, timeout: float = 15.0
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.to(address) if subject_contains in str(m["Subject"])]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no e-mail to {address} with {subject_contains!r} within {timeout}s")
                self._changed.wait(remaining)

    def code_for(self, address: str, *, timeout: float = 15.0, nth: int = 1) -> str:
        messages = self.wait_for(address, subject_contains="code", count=nth, timeout=timeout)
        body = messages[nth - 1].get_content()
        match = re.search(r"\b(\d{6})\b", body)
        assert match, body
        return match.group(1)


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
