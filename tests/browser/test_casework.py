"""Casework in Chromium: write to the requester, complete an access request with its export, revoke the
link, read the Reports, set the digest — and every console page passes axe-core; then the requester
downloads their copy through the code page (itself checked with axe-core)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.access.agents import get_agent_by_email
from bot.cases.casework import perform_action
from tests.factories import RecordingSender, seed_report_data
from tests.handlers.console.conftest import add_agent, add_ticket
from tests.handlers.slack.fake_slack import wait_until

pytestmark = pytest.mark.browser
ADMIN = ("maria@example.com", "maria-password-123")
REQUESTER = "alice@example.com"
EXPORT = b'{"name": "Alice Example", "portal_logins": 42}'


def _seed(services: Any) -> tuple[str, str]:
    """A queue with history for the Reports; returns (an access request in progress, a rectification)."""
    admin_id = add_agent(services, *ADMIN, role="admin")
    agent_id = add_agent(services, "tom@example.com", "tom-password-1234")
    seed_report_data(services.db, agent_ids={"admin": admin_id, "agent": agent_id})
    access = add_ticket(services, email=REQUESTER, type="access", received=services.clock() - timedelta(days=2))
    rectification = add_ticket(services, email="bob@example.com", name="Bob Berg", type="rectification")
    with services.db.write() as session:
        admin = get_agent_by_email(session, ADMIN[0])
        assert admin is not None
        for reference in (access, rectification):
            perform_action(session, reference=reference, action="assign", actor=admin, now=services.clock())
        perform_action(session, reference=access, action="start", actor=admin, now=services.clock())
    return access, rectification


def test_casework_pages_work_and_pass_axe(
    live: Any, make_services: Any, page: Any, axe: Any, outbox: RecordingSender, artifacts: Path, tmp_path: Path
) -> None:
    services = make_services()
    access, rectification = _seed(services)
    server = live(services)
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{server.url}/console/login")
    axe(page, "the sign-in page", wcag22=True)
    page.get_by_label("E-mail").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    axe(page, "the queue", wcag22=True)

    # A question to the requester of the rectification.
    page.goto(f"{server.url}/console/tickets/{rectification}")
    page.get_by_label("Message to the requester").fill("Which number is wrong: mobile or office?")
    page.get_by_role("button", name="Send to the requester").click()
    expect(page.get_by_role("status")).to_contain_text("on its way to the requester")
    expect(page.locator(".tag--waiting")).to_contain_text("Waiting for requester")
    expect(page.locator(".thread")).to_contain_text("Which number is wrong")
    axe(page, "a ticket page with a message", wcag22=True)
    page.screenshot(path=str(artifacts / "casework-message.png"), full_page=True)

    # The access request: complete it with the export, then revoke and send a new copy.
    export = tmp_path / "alice.json"
    export.write_bytes(EXPORT)
    page.goto(f"{server.url}/console/tickets/{access}")
    axe(page, "an access request in progress", wcag22=True)
    page.get_by_label("Resolution note").fill("Here is all the data we hold about you.")
    page.get_by_role("button", name="Complete…").click()
    expect(page.locator(".notice-preview")).to_contain_text("Here is all the data we hold about you.")
    expect(page.locator(".notice-preview")).to_contain_text("made when you upload the file")
    axe(page, "the confirmation of a completion with an export", wcag22=True)
    page.get_by_label("Export of the requester's data").set_input_files(str(export))
    page.get_by_role("button", name="Upload and complete").click()
    expect(page.get_by_role("status")).to_contain_text("download link that only they can use")
    expect(page.locator("#exports")).to_contain_text("works until")
    axe(page, "a completed access request with its export", wcag22=True)
    page.screenshot(path=str(artifacts / "casework-export.png"), full_page=True)

    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Requests received per week, by type")).to_be_visible()
    page.get_by_label("From", exact=True).fill("2026-03-02")
    page.get_by_label("To", exact=True).fill("2026-03-29")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".figures")).to_contain_text(
        "6 of 7"
    )  # the seeded month plus the access request completed above
    axe(page, "the Reports page", wcag22=True)
    page.screenshot(path=str(artifacts / "casework-reports.png"), full_page=True)

    page.get_by_role("link", name="Agents").click()
    page.get_by_role("button", name=f"Send by e-mail the daily digest to {ADMIN[0]}").click()
    expect(page.get_by_role("status")).to_contain_text("digest setting is saved")
    expect(page.get_by_role("button", name=f"Stop the daily digest to {ADMIN[0]}")).to_be_visible()
    axe(page, "the Agents page", wcag22=True)
    page.get_by_role("link", name="API tokens").click()
    axe(page, "the API tokens page", wcag22=True)

    # The requester's side: the link from the e-mail, the code, the file.
    mail = wait_until(lambda: [m for m in outbox.to(REQUESTER) if m.kind == "completed"], what="the e-mail")[0]
    found = re.search(r"/exports/([A-Za-z0-9_-]+)", mail.body)
    assert found
    requester = page.context.browser.new_context()
    their = requester.new_page()
    their.set_default_timeout(10_000)
    their.goto(f"{server.url}/exports/{found.group(1)}")
    expect(their.get_by_role("heading", name="Download your data")).to_be_visible()
    axe(their, "the download page")
    their.get_by_role("button", name="Send me a code").click()
    expect(their.get_by_role("status")).to_contain_text("sent a 6-digit code")
    axe(their, "the download page asking for the code")

    def code() -> str | None:
        mails = [m for m in outbox.to(REQUESTER) if m.kind == "verification_code"]
        match = re.search(r"\b(\d{6})\b", mails[-1].body) if mails else None
        return match.group(1) if match else None

    their.get_by_label("6-digit code").fill(wait_until(code, what="the download code"))
    with their.expect_download() as download:
        their.get_by_role("button", name="Download").click()
    saved = tmp_path / "downloaded.json"
    download.value.save_as(saved)
    assert saved.read_bytes() == EXPORT and download.value.suggested_filename == f"{access}-access.json"
    requester.close()

    # The agent sees the download and withdraws the link.
    page.goto(f"{server.url}/console/tickets/{access}#exports")
    expect(page.locator("#exports tbody tr")).to_contain_text("1")
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_role("status")).to_contain_text("no longer works")
    assert page.errors == [] and console_errors == []
    page.goto(f"{server.url}/console/tickets/PRV-0000-0000")  # (its 404 is logged in the console, as it should)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    axe(page, "the console's error page", wcag22=True)
