"""Faults: the database goes away and comes back; SMTP goes away and comes back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import create_app
from bot.store.models import OutboxMessage, Ticket
from tests import pgcluster
from tests.factories import ChatDriver
from tests.smtp import SmtpServer


@pytest.fixture
def postgres() -> Iterator[pgcluster.ThrowawayPostgres]:
    if not pgcluster.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are needed for the fault tests in CI")
        pytest.skip("initdb/pg_ctl not installed")
    cluster = pgcluster.ThrowawayPostgres().init()
    cluster.start()
    yield cluster
    cluster.destroy()


def _wait_until(predicate: Any, attempts: int = 100) -> bool:
    import threading

    for _ in range(attempts):
        if predicate():
            return True
        threading.Event().wait(0.1)
    return False


def test_database_down_then_back(postgres: Any, make_services: Any, make_settings: Any) -> None:
    services = make_services(make_settings(DATABASE_URL=postgres.url))
    with TestClient(create_app(services.settings, services=services)) as client:
        assert client.get("/healthz").status_code == 200
        chat = ChatDriver(client)
        chat.say("please delete my data")
        chat.click("everything")
        chat.say("Quinn Fault")
        chat.say("skip")
        chat.say("quinn@example.com")
        code = _code(services, "quinn@example.com")
        chat.say(code)
        assert chat.expecting == "confirm"

        postgres.kill()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] is False
        assert client.get("/livez").status_code == 200  # alive: nothing to restart, only to wait for
        # Questions still get answers from the statement.
        answer = client.post("/api/chat", json={"message": "How long do you keep my data?"}).json()
        assert answer["intent"] == "question" and answer["citations"][0]["section"] == "4"
        # Requests are refused plainly, and the confirmation cannot half-file anything.
        refused = client.post("/api/chat", json={"message": "I want to object to processing"}).json()
        assert "can't file" in refused["reply"] and refused["ticket"] is None
        body = chat.say("yes")
        assert "can't file" in body["reply"] and body["ticket"] is None

        postgres.start()
        assert _wait_until(lambda: client.get("/healthz").status_code == 200)
        body = chat.say("yes")  # the flow was not lost: the failed turn changed nothing
        assert body["ticket"] and body["ticket"]["type"] == "deletion"
        with services.db.read() as session:
            assert len(session.exec(select(Ticket)).all()) == 1


def _code(services: Any, email: str) -> str:
    """The code e-mailed to `email`; the background worker may be the one delivering it, so wait."""
    sender = services.outbox.senders["email"]

    def delivered() -> bool:
        services.outbox.drain_once()
        return any(m.kind == "verification_code" for m in sender.to(email))

    assert _wait_until(delivered), f"no verification code reached {email}"
    return sender.last_code(email)


def test_smtp_outage_delays_the_receipt_but_never_loses_or_repeats_it(
    make_services: Any, make_settings: Any, database_url: str
) -> None:
    smtp = SmtpServer().start()
    settings = make_settings(SMTP_URL=smtp.url, SMTP_ALLOW_PLAINTEXT=True, DATABASE_URL=database_url)
    services = make_services(settings, senders=None)
    with TestClient(create_app(settings, services=services)) as client:
        chat = ChatDriver(client)
        chat.say("unsubscribe me from marketing")
        chat.click("all")
        chat.say("Rita Outage")
        chat.say("skip")
        chat.say("rita@example.com")
        chat.say(smtp.inbox.code_for("rita@example.com"))
        smtp.stop()  # SMTP goes down just before the ticket is filed
        reference = chat.say("yes")["ticket"]["reference"]
        assert _wait_until(
            lambda: _receipt(services, reference) is not None and _receipt(services, reference).attempts >= 1
        )
        assert _receipt(services, reference).status == "pending"

        back = SmtpServer()
        back.port, back.controller = smtp.port, type(smtp.controller)(back.inbox, hostname="127.0.0.1", port=smtp.port)
        back.start()
        try:
            services.clock.advance(minutes=5)  # past the retry backoff
            services.outbox.kick()
            assert back.inbox.wait_for("rita@example.com", subject_contains=reference)
            # The worker records the delivery just after the server accepted it.
            assert _wait_until(lambda: _receipt(services, reference).status == "sent")
            services.clock.advance(hours=1)
            services.outbox.drain_once()
            assert len(back.inbox.to("rita@example.com")) == 1
        finally:
            back.stop()


def _receipt(services: Any, reference: str) -> OutboxMessage | None:
    with services.db.read() as session:
        return session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "receipt", OutboxMessage.subject.contains(reference))
        ).first()
