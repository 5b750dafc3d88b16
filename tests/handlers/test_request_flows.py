"""Every request type end to end through /api/chat, with codes and receipts over real SMTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import create_app
from bot.access.identity import sign_identity
from bot.store.models import AuditEvent, Ticket
from tests.factories import REQUESTS, ChatDriver
from tests.smtp import text_of

PORTAL_SECRET = "portal-signing-secret"


@pytest.fixture
def web(make_services: Any, make_settings: Any, smtp_server: Any, database_url: str) -> Iterator[TestClient]:
    settings = make_settings(**smtp_server.settings, DATABASE_URL=database_url, WIDGET_IDENTITY_SECRET=PORTAL_SECRET)
    services = make_services(settings, senders=None)  # the real SMTP mailer, to the loopback server
    with TestClient(create_app(settings, services=services)) as client:
        client.services = services  # type: ignore[attr-defined]
        client.inbox = smtp_server.inbox  # type: ignore[attr-defined]
        yield client


def _answer_fields(chat: ChatDriver, steps: list[tuple[str, str]], flow: str) -> None:
    for how, value in steps:
        body = chat.click(value) if how == "click" else chat.say(value)
        assert body["intent"] == flow, body["reply"]


def _verify_by_email(chat: ChatDriver, inbox: Any, email: str, flow: str) -> None:
    assert chat.expecting == "email"
    body = chat.say(email)
    assert chat.expecting == "code" and email[0] + "***" in body["reply"]
    chat.say(inbox.code_for(email))
    assert body["intent"] == flow


@pytest.mark.parametrize("flow", list(REQUESTS))
def test_each_request_with_email_code_verification(web: Any, flow: str) -> None:
    opening, steps = REQUESTS[flow]
    email = f"{flow}.user@example.com"
    chat = ChatDriver(web)
    body = chat.say(opening)
    assert body["intent"] == flow and body["ticket"] is None
    _answer_fields(chat, steps, flow)
    assert chat.expecting == "name"
    chat.say("Erin Example")
    assert chat.expecting == "company"
    chat.say("Acme Towers Ltd")
    _verify_by_email(chat, web.inbox, email, flow)
    assert chat.expecting == "confirm"
    assert "Erin Example" in chat.last["reply"] and "Acme Towers Ltd" in chat.last["reply"]
    body = chat.say("yes")
    ticket = body["ticket"]
    assert body["intent"] == flow and ticket["type"] == flow and ticket["status"] == "open"
    assert ticket["reference"] in body["reply"] and ticket["due_date"] == "2026-04-10"
    receipt = text_of(web.inbox.wait_for(email, subject_contains=ticket["reference"])[0])
    assert "Due date: 2026-04-10" in receipt and "What happens next" in receipt
    with web.services.db.read() as session:
        stored = session.exec(select(Ticket).where(Ticket.reference == ticket["reference"])).one()
        assert (stored.requester_email, stored.requester_name, stored.verified_via) == (
            email,
            "Erin Example",
            "email_code",
        )
        assert stored.details and session.exec(select(AuditEvent).where(AuditEvent.ticket_id == stored.id)).all()


@pytest.mark.parametrize("flow", ["deletion", "consent_revocation"])
def test_signed_identity_skips_the_code(web: Any, flow: str) -> None:
    email = "frank@example.com"
    identity = {"email": email, "name": "Frank Signed", "signature": sign_identity(email, PORTAL_SECRET)}
    chat = ChatDriver(web, identity=identity)
    opening, steps = REQUESTS[flow]
    chat.say(opening)
    _answer_fields(chat, steps, flow)
    assert chat.expecting == "company"  # the name came with the identity
    chat.say("skip")
    assert chat.expecting == "confirm"
    body = chat.say("yes")
    assert body["ticket"]["type"] == flow
    with web.services.db.read() as session:
        stored = session.exec(select(Ticket)).one()
        assert (stored.verified_via, stored.requester_name, stored.requester_company) == (
            "signed_identity",
            "Frank Signed",
            None,
        )
    assert web.inbox.wait_for(email, subject_contains=body["ticket"]["reference"])
    assert not [m for m in web.inbox.to(email) if "code" in str(m["Subject"])]


def _to_code_step(web: Any, email: str) -> ChatDriver:
    chat = ChatDriver(web)
    chat.say("delete my data please")
    chat.click("everything")
    chat.say("Gina Wrong")
    chat.say("skip")
    chat.say(email)
    assert chat.expecting == "code"
    return chat


def test_wrong_code_then_too_many_attempts_then_resend(web: Any) -> None:
    email = "gina@example.com"
    chat = _to_code_step(web, email)
    real = web.inbox.code_for(email)
    wrong = "000000" if real != "000000" else "111111"
    assert "You have 2 more tries" in chat.say(wrong)["reply"]
    assert "You have one more try" in chat.say(wrong)["reply"]
    assert "can't be tried again" in chat.say(wrong)["reply"]
    assert "Too many wrong attempts" in chat.say(real)["reply"]  # even the right code is refused now
    assert chat.expecting == "code"
    assert [c["id"] for c in chat.last["expecting"]["choices"]] == ["resend_code", "change_email"]
    chat.click("resend_code")
    chat.say(web.inbox.code_for(email, nth=2))
    assert chat.expecting == "confirm"
    with web.services.db.read() as session:
        assert session.exec(select(Ticket)).all() == []  # nothing filed before confirmation


def test_expired_code_is_refused(web: Any) -> None:
    email = "hank@example.com"
    chat = _to_code_step(web, email)
    code = web.inbox.code_for(email)
    web.services.clock.advance(minutes=11)
    assert "expired" in chat.say(code)["reply"]
    assert chat.expecting == "code"


def test_question_correction_and_back_in_the_middle_of_a_flow(web: Any) -> None:
    chat = ChatDriver(web)
    chat.say("I'd like my data corrected")
    assert chat.expecting == "item"
    body = chat.say("how long do you keep my data?")
    assert body["intent"] == "question" and body["citations"][0]["section"] == "4"
    assert chat.expecting == "item" and "back to your request" in body["reply"]
    chat.click("name")
    chat.say("Ian Wrnog")
    chat.say("Ian Wrong")
    chat.say("Ian Right")  # the requester's own name
    body = chat.say("actually my name is Ian Rightful")
    assert "updated your name" in body["reply"] and chat.expecting == "company"
    chat.say("back")
    assert chat.expecting == "name"  # the previous question
    chat.say("back")
    assert chat.expecting == "correct_value"
    chat.say("Ian Wrong-Corrected")
    assert chat.expecting == "name"
    chat.say("Ian Rightful")
    assert chat.expecting == "company"
    chat.say("Acme")
    chat.say("ian@example.com")
    chat.say(web.inbox.code_for("ian@example.com"))
    body = chat.say("yes")
    with web.services.db.read() as session:
        stored = session.exec(select(Ticket)).one()
    assert stored.requester_name == "Ian Rightful"
    assert stored.details["correct_value"] == "Ian Wrong-Corrected"
    assert body["ticket"]["reference"] == stored.reference


def test_email_correction_sends_a_new_code(web: Any) -> None:
    chat = _to_code_step(web, "typo@exmaple.com")
    body = chat.say("actually my email is jill@example.com")
    assert "updated your e-mail" in body["reply"] and chat.expecting == "code"
    chat.say(web.inbox.code_for("jill@example.com"))
    assert chat.expecting == "confirm"


def test_cancel_in_the_middle_files_nothing(web: Any) -> None:
    chat = ChatDriver(web)
    chat.say("please remove my personal data")
    chat.click("everything")
    body = chat.say("cancel")
    assert body["intent"] == "cancel" and "Nothing was filed" in body["reply"]
    assert chat.say("hello")["intent"] == "greeting"  # back at the top level
    with web.services.db.read() as session:
        assert session.exec(select(Ticket)).all() == []


def test_declining_the_confirmation_files_nothing(web: Any) -> None:
    chat = _to_code_step(web, "kim@example.com")
    chat.say(web.inbox.code_for("kim@example.com"))
    body = chat.click("no")
    assert body["intent"] == "cancel"
    with web.services.db.read() as session:
        assert session.exec(select(Ticket)).all() == []


def test_session_expires_after_thirty_idle_minutes(web: Any) -> None:
    chat = ChatDriver(web)
    chat.say("delete my data")
    old = chat.session_id
    web.services.clock.advance(minutes=31)
    body = chat.say("everything")
    assert body["session_id"] != old and "timed out" in body["reply"]


def test_status_and_withdrawal_of_own_requests_only(web: Any) -> None:
    email = "lena@example.com"
    identity = {"email": email, "name": "Lena", "signature": sign_identity(email, PORTAL_SECRET)}
    lena = ChatDriver(web, identity=identity)
    lena.say("stop all marketing to me")
    lena.click("all")
    lena.say("skip")
    reference = lena.say("yes")["ticket"]["reference"]

    other = ChatDriver(
        web,
        identity={
            "email": "max@example.com",
            "name": "Max",
            "signature": sign_identity("max@example.com", PORTAL_SECRET),
        },
    )
    assert reference not in other.say("what's the status of my request?")["reply"]
    body = other.say(f"withdraw my request {reference}")
    assert "couldn't find" in body["reply"]

    body = lena.say("any update on my request?")
    assert body["intent"] == "ticket_status" and reference in body["reply"] and body["ticket"]["status"] == "open"
    body = lena.say(f"withdraw my request {reference}")
    assert body["intent"] == "cancel" and lena.expecting == "confirm"
    body = lena.say("yes")
    assert body["ticket"]["status"] == "withdrawn"
    assert web.inbox.wait_for(email, subject_contains="withdrawn")
    with web.services.db.read() as session:
        stored = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.ticket_id == stored.id))]
    assert stored.status == "withdrawn" and actions == ["created", "withdraw"]


def test_status_requires_verification(web: Any) -> None:
    chat = ChatDriver(web)
    body = chat.say("what's the status of my request?")
    assert body["intent"] == "ticket_status" and chat.expecting == "email"
    chat.say("nobody@example.com")
    body = chat.say(web.inbox.code_for("nobody@example.com"))
    assert "couldn't find any requests" in body["reply"]
