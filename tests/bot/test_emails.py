"""E-mails to requesters: every kind is a template with a text and an HTML part of the same shape
(greeting, what happened, the reference, what happens next, the contact route of Section 1, a
signature), rendered from what lifecycle actions really queue, and sent as multipart over SMTP."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.cases.casework import perform_action
from bot.cases.emails import KINDS, SIGNATURE, TEMPLATE_DIR, Contact, Email, MailTemplates
from bot.cases.messages import write_to_requester
from bot.cases.notices import COMPLAINT_NOTICE
from bot.store.mail import SmtpMailer
from bot.store.models import Agent, OutboxMessage
from knowledge.statement import load_statement
from tests.handlers.console.conftest import add_agent, add_ticket
from tests.smtp import html_of, text_of

ROOT = Path(__file__).resolve().parents[2]
SECTION_1 = load_statement().section("1")
assert SECTION_1 is not None
MAIL = MailTemplates(Contact.from_section(SECTION_1.text))
TICKET = {
    "name": "Alice Example",
    "reference": "PRV-7K3M-9QXT",
    "type": "deletion",
    "received": "2026-03-10",
    "due_date": "2026-04-10",
}
CONTEXTS: dict[str, dict[str, Any]] = {
    "receipt": {},
    "extended": {
        "reason": "Backups span two data centres.",
        "old_due_date": "2026-04-10",
        "new_due_date": "2026-05-10",
    },
    "completed": {"note": "All your data is deleted.", "show_due": False},
    "rejected": {"explanation": "the request is excessive", "note": "Fifth request this week.", "show_due": False},
    "withdrawn": {"show_due": False},
    "team_message": {"text": "Which number is wrong?", "expects_reply": True},
    "new_export": {
        "note": "Now with the 2025 logins.",
        "download_url": "https://helpdesk.example.com/exports/abc",
        "download_expires": "2026-03-24 09:00 UTC",
        "masked_email": "a***@example.com",
    },
    "verification_code": {"code": "123456"},
    "message": {"body": "Something else the team wants you to know."},
}
WHAT_HAPPENED = {
    "receipt": "We have received your request (Deletion (erasure)) on 2026-03-10",
    "extended": "Backups span two data centres.",
    "completed": "All your data is deleted.",
    "rejected": "because the request is excessive",
    "withdrawn": "has been withdrawn",
    "team_message": "Which number is wrong?",
    "new_export": "https://helpdesk.example.com/exports/abc",
    "verification_code": "123456",
    "message": "Something else the team wants you to know.",
}


def test_the_contact_route_is_section_1_of_the_statement() -> None:
    assert MAIL.contact.url == "https://www.kone.com/en/contact.aspx"
    assert "Personal Data Enquiry" in MAIL.contact.text
    assert MAIL.contact.text in " ".join(SECTION_1.text.split())


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_has_both_parts_and_the_same_shape(kind: str) -> None:
    email = MAIL.render(kind, {**TICKET, **CONTEXTS[kind]})
    greeting = "Hello," if kind == "verification_code" else "Hello Alice Example,"
    for part in (email.text, re.sub(r"<[^>]+>", " ", email.html)):
        assert greeting in part
        assert WHAT_HAPPENED[kind] in part
        assert "PRV-7K3M-9QXT" in part
        assert "What happens next" in part
        assert "https://www.kone.com/en/contact.aspx" in part and "Personal Data Enquiry" in part
        assert SIGNATURE in part
        assert ("right to lodge a complaint" in part) == (kind == "rejected")
        assert "Undefined" not in part and "None" not in part and "{{" not in part
    assert email.html.startswith("<!doctype html>") and '<a href="https://www.kone.com/en/contact.aspx">' in email.html
    assert "<a " not in email.text and "<p>" not in email.text


def test_a_rejection_names_the_right_to_complain_in_both_parts() -> None:
    email = MAIL.render("rejected", {**TICKET, **CONTEXTS["rejected"]})
    assert COMPLAINT_NOTICE in email.text and COMPLAINT_NOTICE in email.html
    assert "data protection authority" in email.html


def test_html_escapes_what_people_wrote_and_text_keeps_it() -> None:
    note = 'Deleted <script>alert("x")</script> & done.\nSecond line.'
    email = MAIL.render("completed", {**TICKET, "note": note})
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html and "<br>Second line." in email.html
    assert note in email.text


def test_every_template_file_pairs_up_and_ships_in_the_wheel() -> None:
    names = {p.name for p in TEMPLATE_DIR.iterdir()}
    assert {f"{kind}.{ext}" for kind in KINDS for ext in ("txt", "html")} <= names
    assert all(name.rsplit(".", 1)[0].lstrip("_") in (*KINDS, "layout", "download") for name in names)
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["bot"]
    assert "cases/templates/mail/*" in data


def _queued(services: Any) -> list[OutboxMessage]:
    from sqlmodel import col, select

    with services.db.read() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def _rendered(services: Any, message: OutboxMessage) -> Email:
    rendered: Email | None = services.mail.render_message(message)
    assert rendered is not None, message.kind
    return rendered


def test_what_the_lifecycle_queues_renders_with_its_template(make_services: Any) -> None:
    services = make_services()
    agent_id = add_agent(services, "maria@example.com", "maria-password-123")
    done, declined = add_ticket(services), add_ticket(services, email="bob@example.com", name="Bob Berg")
    now = services.clock()
    with services.db.write() as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None
        for action, fields in [
            ("start", {}),
            ("extend", {"reason": "Three subsidiaries to ask."}),
            ("complete", {"note": "Everything is deleted."}),
        ]:
            perform_action(session, reference=done, action=action, actor=agent, now=now, **fields)
        write_to_requester(session, reference=declined, author=agent, text="Who are you?", now=now)
        perform_action(session, reference=declined, action="reject", actor=agent, now=now, reason="excessive")
    messages = {m.kind: m for m in _queued(services)}
    assert set(messages) == {"extended", "completed", "team_message", "rejected"}
    assert services.mail is not None
    extended = _rendered(services, messages["extended"])
    assert "Hello Alice Example," in extended.text and "Three subsidiaries to ask." in extended.text
    assert "moves from 2026-04-10 to 2026-05-10" in extended.text  # one month: the default extension
    completed = _rendered(services, messages["completed"])
    assert "Everything is deleted." in completed.text and "Due date" not in completed.text
    assert "Who are you?" in _rendered(services, messages["team_message"]).html
    rejected = _rendered(services, messages["rejected"])
    assert "Hello Bob Berg," in rejected.text and COMPLAINT_NOTICE in rejected.text
    code = OutboxMessage(
        channel="email", kind="verification_code", recipient="a@example.com", body="Your verification code is 654321."
    )
    rendered = services.mail.render_message(code)
    assert rendered is not None and "654321" in rendered.html


def test_smtp_sends_the_text_and_the_html_part(smtp_server: Any) -> None:
    mailer = SmtpMailer(smtp_server.url, "privacy@example.com", ca_file=smtp_server.ca_file, render=MAIL.render_message)
    context = {**TICKET, "reason": "More time.", "old_due_date": "2026-04-10", "new_due_date": "2026-05-10"}
    message = OutboxMessage(
        channel="email",
        kind="extended",
        recipient="alice@example.com",
        subject="Your privacy request PRV-7K3M-9QXT needs more time",
        body="(the Slack text)",
        payload={"reference": "PRV-7K3M-9QXT", "mail": context},
    )
    mailer.send(message)
    (received,) = smtp_server.inbox.wait_for("alice@example.com", subject_contains="needs more time")
    assert received.get_content_type() == "multipart/alternative"
    assert "More time." in text_of(received) and "More time." in html_of(received)
    assert "(the Slack text)" not in text_of(received)


def test_e_mails_to_the_team_stay_plain_text(smtp_server: Any) -> None:
    mailer = SmtpMailer(smtp_server.url, "privacy@example.com", ca_file=smtp_server.ca_file, render=MAIL.render_message)
    reminder = OutboxMessage(
        channel="email",
        kind="agent_reminder",
        recipient="maria@example.com",
        subject="PRV-7K3M-9QXT is due in 3 days",
        body="Request PRV-7K3M-9QXT is due in 3 days. Open it in the console.",
        payload={"reference": "PRV-7K3M-9QXT", "type": "deletion"},
    )
    assert MAIL.render_message(reminder) is None
    mailer.send(reminder)
    (received,) = smtp_server.inbox.wait_for("maria@example.com", subject_contains="is due in 3 days")
    assert received.get_content_type() == "text/plain"
    assert text_of(received).strip() == reminder.body and "Hello" not in text_of(received)
