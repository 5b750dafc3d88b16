"""The case file as an agent sees it in Chromium (1280×800, keyboard where it matters): the queue says
what each request asks and shows new tickets by itself; the transcript shows the buttons the requester
clicked by their labels and the statement's quotes as quotes, and its scroll box is reachable by
keyboard; the audit trail reads as sentences; only sensible actions are offered; complete and reject
show the requester's notice before anything is sent. axe-core (WCAG 2.2 AA included) on every page;
screenshots under test-output/ for review."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.store.conversations import record_turn
from tests.factories import RecordingSender
from tests.handlers.console.conftest import add_agent, add_ticket
from tests.handlers.slack.fake_slack import wait_until

pytestmark = pytest.mark.browser
AGENT = ("maria@example.com", "maria-password-123")
SCOPE = {
    "expecting": {
        "field": "scope",
        "kind": "choice",
        "prompt": "What should be deleted?",
        "choices": [
            {"id": "everything", "label": "My account and all my personal data"},
            {"id": "specific", "label": "Only specific data"},
        ],
    }
}


def _seed(services: Any) -> tuple[str, str]:
    """A deletion filed through the chat (buttons, a quote, a long talk) and an objection; their references."""
    now = services.clock()
    add_agent(services, *AGENT, role="admin")
    add_agent(services, "tom@example.com", "tom-password-1234")
    turns: list[tuple[str, str, dict[str, Any]]] = [
        ("user", "", {"action": "start:deletion"}),
        (
            "bot",
            "Before you decide, Section 3 says:\n> KONE will delete the personal data once it is no longer needed."
            "\n> Section 3 – Purposes\n\nWhat should be deleted?",
            SCOPE,
        ),
        ("user", "", {"action": "everything"}),
    ]
    for n in range(8):  # a long conversation: the transcript scrolls in its own box
        turns += [("user", f"And question number {n + 1} about my data?", {}), ("bot", f"Answer {n + 1}.", {})]
    turns.append(("user", "yes", {}))
    with services.db.write() as session:
        for offset, (role, text, payload) in enumerate(turns):
            at = now - timedelta(days=2) + timedelta(seconds=offset)
            record_turn(session, session_id="web-alice", role=role, text=text, payload=payload, at=at)
    deletion = add_ticket(services, session_id="web-alice", received=now - timedelta(days=2))
    objection = add_ticket(services, email="bob@example.com", name="Bob Berg", type="objection")
    return deletion, objection


def test_an_agent_reads_the_case_file_and_acts_safely(
    live: Any, make_services: Any, page: Any, axe: Any, outbox: RecordingSender, artifacts: Path
) -> None:
    services = make_services()
    deletion, objection = _seed(services)
    server = live(services)
    page.set_default_timeout(10_000)
    page.clock.install()  # the queue's poll runs on the page's timers: the test moves them on
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{server.url}/console/login")
    expect(page.get_by_text("Ask an administrator")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("privacy-bot")
    axe(page, "the sign-in page", wcag22=True)
    page.get_by_label("E-mail").fill(AGENT[0])
    page.get_by_label("Password").fill(AGENT[1])
    page.get_by_role("button", name="Sign in").click()

    # The queue: what each request asks, and new tickets without a reload.
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    rows = page.locator("#queue-results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("row", name=deletion)).to_contain_text("Everything in my myKONE account")
    axe(page, "the queue", wcag22=True)
    late = add_ticket(services, email="carla@example.com", name="Carla Cruz", type="rectification")
    page.clock.run_for(21_000)
    expect(rows).to_have_count(3)
    expect(page.get_by_role("status")).to_contain_text(f"1 new ticket ({late})")
    page.screenshot(path=str(artifacts / "casefile-queue.png"), full_page=True)

    # The case file: labels of the clicked buttons, quotes without markers, sentences in the audit trail.
    page.get_by_role("link", name=deletion).click()
    expect(page.get_by_role("heading", name=deletion)).to_be_visible()
    transcript = page.get_by_role("region", name="Transcript (scrolls)")
    expect(transcript.locator(".chip")).to_have_text(["Delete my data", "My account and all my personal data"])
    expect(transcript.locator("blockquote").first).to_contain_text(
        "KONE will delete the personal data once it is no longer needed."
    )
    assert "(chose an option)" not in transcript.inner_text() and "\n>" not in transcript.inner_text()
    audit = page.get_by_role("table").filter(has_text="What happened")
    expect(audit).to_contain_text("Filed the request in the web chat.")
    expect(audit).not_to_contain_text("verified_via")
    # The transcript's scroll box is reached with Tab and scrolled with the keyboard.
    page.get_by_role("button", name="Send to the requester").focus()
    page.keyboard.press("Tab")
    expect(transcript).to_be_focused()
    page.keyboard.press("PageDown")
    wait_until(lambda: transcript.evaluate("box => box.scrollTop") > 0, what="the transcript to scroll")
    axe(page, "a ticket with its conversation", wcag22=True)
    page.screenshot(path=str(artifacts / "casefile-ticket.png"), full_page=True)

    # Only sensible actions; extend defaults to one month; complete shows the notice first.
    actions = page.get_by_role("complementary", name="Work on this ticket")
    expect(actions.get_by_role("button", name="Complete…")).to_have_count(0)
    expect(page.get_by_label("Extend by")).to_have_value("1")
    page.get_by_role("button", name="Assign to me").click()
    expect(actions.get_by_text("Assigned to you.")).to_be_visible()
    expect(actions.get_by_role("button", name="Assign to me")).to_have_count(0)
    page.get_by_role("button", name="Start").click()
    expect(actions.get_by_role("button", name="Start")).to_have_count(0)
    page.get_by_label("Resolution note").fill("Your myKONE account and its data are deleted.")
    page.get_by_role("button", name="Complete…").click()
    expect(page.get_by_role("heading", name=f"Complete {deletion}?")).to_be_visible()
    preview = page.locator(".notice-preview")
    expect(preview).to_contain_text("Hello Alice Example,")
    expect(preview).to_contain_text("Your myKONE account and its data are deleted.")
    expect(preview).to_contain_text("https://www.kone.com/en/contact.aspx")
    axe(page, "the confirmation of a completion", wcag22=True)
    page.screenshot(path=str(artifacts / "casefile-complete-preview.png"), full_page=True)
    assert outbox.to("alice@example.com") == []  # nothing is sent before the agent confirms
    page.get_by_role("button", name="Send and complete").click()
    expect(page.get_by_role("status")).to_contain_text("The ticket is completed")
    expect(page.get_by_role("complementary", name="Work on this ticket")).to_contain_text("no further actions")
    wait_until(lambda: [m for m in outbox.to("alice@example.com") if m.kind == "completed"], what="the notice")

    # Reject: the preview names the right to complain; "Back to edit" keeps what was typed.
    page.goto(f"{server.url}/console/tickets/{objection}")
    page.get_by_label("Rejection reason").select_option("excessive")
    page.get_by_label("Explanation").fill("This is the fifth identical request this month.")
    page.get_by_role("button", name="Reject…").click()
    expect(page.locator(".notice-preview")).to_contain_text("right to lodge a complaint")
    page.screenshot(path=str(artifacts / "casefile-reject-preview.png"), full_page=True)
    page.get_by_role("button", name="Back to edit").click()
    expect(page.get_by_label("Explanation")).to_have_value("This is the fifth identical request this month.")
    page.get_by_role("button", name="Reject…").click()
    page.get_by_role("button", name="Send and reject").click()
    expect(page.get_by_role("status")).to_contain_text("The request has been rejected")
    assert page.errors == [] and console_errors == []
