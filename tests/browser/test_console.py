"""The agent console in Chromium: sign in, filter, open a ticket, extend and complete it, sign out.

The requester's e-mails travel through the real SMTP mailer to a loopback SMTP server.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.store.conversations import record_turn
from tests.handlers.console.conftest import add_agent, add_ticket
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.browser
AGENT = ("maria@example.com", "maria-password-123")
REQUESTER = "alice@example.com"


def _seed(services: Any) -> str:
    """A small realistic queue; returns the deletion request the test works on."""
    now = services.clock()
    add_agent(services, *AGENT, role="admin")
    add_agent(services, "tom@example.com", "tom-password-1234")
    with services.db.write() as session:
        for offset, (role, text) in enumerate(
            [
                ("user", "Please delete all my personal data."),
                ("bot", "I can file a deletion request. What should be deleted?"),
                ("user", "Everything in my myKONE account."),
                ("bot", "Your request PRV is filed. We will answer by the due date."),
            ]
        ):
            record_turn(
                session, session_id="web-alice", role=role, text=text, payload={}, at=now + timedelta(seconds=offset)
            )
    reference = add_ticket(
        services, email=REQUESTER, name="Alice Example", session_id="web-alice", received=now - timedelta(days=3)
    )
    add_ticket(services, email="bob@example.com", name="Bob Berg", type="objection", received=now - timedelta(days=26))
    add_ticket(
        services, email="carla@example.com", name="Carla Cruz", type="rectification", received=now - timedelta(days=33)
    )
    add_ticket(
        services,
        email="dev@example.com",
        name="Dev Patel",
        type="marketing_objection",
        received=now - timedelta(days=22),
    )
    add_ticket(services, email="eve@example.com", name="Eve Ek", type="deletion", received=now - timedelta(days=12))
    return reference


def test_agent_extends_and_completes_a_request(
    live: Any, make_services: Any, make_settings: Any, smtp_server: Any, page: Any, artifacts: Path
) -> None:
    services = make_services(make_settings(**smtp_server.settings), senders=None)  # the real SMTP mailer
    reference = _seed(services)
    server = live(services)
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{server.url}/console")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.screenshot(path=str(artifacts / "console-login.png"))
    page.get_by_label("E-mail").fill(AGENT[0])
    page.get_by_label("Password").fill(AGENT[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(5)
    page.screenshot(path=str(artifacts / "console-queue.png"), full_page=True)

    page.get_by_label("Type").select_option("deletion")
    page.get_by_label("Search").fill("alice")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator(".badge")).to_have_text("28 days left")

    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    expect(page.get_by_text("Everything in my myKONE account.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("status")).to_contain_text("in progress")
    page.screenshot(path=str(artifacts / "console-ticket-actions.png"), full_page=True)

    page.get_by_label("Extend by").select_option("1")
    page.get_by_label("Reason for the extension").fill("We need to check the backups of three subsidiaries.")
    page.get_by_role("button", name="Extend").click()
    expect(page.get_by_role("status")).to_contain_text("The due date has been extended")

    page.get_by_label("Add a note").fill("Backups checked with IT; nothing left.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".notes")).to_contain_text("Backups checked with IT")

    page.get_by_label("Resolution note").fill("All personal data of your myKONE account has been deleted.")
    page.get_by_role("button", name="Complete…").click()
    expect(page.get_by_role("heading", name=f"Complete {reference}?")).to_be_visible()
    expect(page.locator(".notice-preview")).to_contain_text("has been deleted")
    page.get_by_role("button", name="Send and complete").click()
    expect(page.get_by_role("status")).to_contain_text("The ticket is completed")
    expect(page.locator(".ticket-head .pill")).to_have_text("completed")
    page.screenshot(path=str(artifacts / "console-ticket.png"), full_page=True)

    extended = smtp_server.inbox.wait_for(REQUESTER, subject_contains="needs more time")[0]
    assert "check the backups of three subsidiaries" in text_of(extended)
    completed = smtp_server.inbox.wait_for(REQUESTER, subject_contains="is complete")[0]
    assert "has been deleted" in text_of(completed) and "has been deleted" in html_of(completed)

    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("For agent").select_option(label="tom@example.com")
    page.get_by_role("button", name="Issue token").click()
    expect(page.get_by_label("New API token")).to_have_value(re.compile(r"^pbt_"))
    page.screenshot(path=str(artifacts / "console-tokens.png"), full_page=True)
    page.get_by_role("link", name="Agents").click()
    expect(page.get_by_role("cell", name="tom@example.com", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "console-agents.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{server.url}/console/tickets")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.errors == []
    assert console_errors == []  # e.g. no "Refused to apply inline style" from the CSP
