"""The console's case file and safe actions without a browser: only sensible actions offered, complete
and reject previewed (nothing stored or sent) before they are confirmed, one-month extensions by
default, a CSV of labels and content, and no shell command on the sign-in page."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col, select

from bot.store.models import OutboxMessage, Ticket
from tests.handlers.console.conftest import AGENT, add_ticket, console_act, csrf_of, events_of, ticket_of


def _post(client: TestClient, reference: str, **data: str) -> Any:
    page = client.get(f"/console/tickets/{reference}")
    return client.post(f"/console/tickets/{reference}/actions", data={**data, "csrf_token": csrf_of(page.text)})


def _outbox(services: Any) -> list[OutboxMessage]:
    with services.db.read() as session:
        return list(session.exec(select(OutboxMessage)))


def test_complete_shows_the_notice_first_and_stores_nothing_until_confirmed(
    agent_web: TestClient, services: Any
) -> None:
    reference = add_ticket(services)
    console_act(agent_web, reference, action="start")
    before = len(events_of(services, reference))

    preview = _post(agent_web, reference, action="complete", note="Your account is deleted.\nAll of it.")
    assert preview.status_code == 200
    text = preview.text
    assert f"Complete {reference}?" in text and "Send and complete" in text and "Back to edit" in text
    assert "Hello Alice Example," in text and "Your account is deleted." in text
    assert "What happens next" in text and "https://www.kone.com/en/contact.aspx" in text
    assert f"Your privacy request {reference} is complete" in text and "alice@example.com" in text
    assert ticket_of(services, reference).status == "in_progress"
    assert len(events_of(services, reference)) == before and _outbox(services) == []

    edit = _post(agent_web, reference, action="complete", note="Your account is deleted.", confirm="edit")
    assert edit.status_code == 200 and ">Your account is deleted.</textarea>" in edit.text
    assert ticket_of(services, reference).status == "in_progress"

    done = _post(agent_web, reference, action="complete", note="Your account is deleted.", confirm="yes")
    assert done.status_code == 303 and ticket_of(services, reference).status == "completed"
    assert [m.kind for m in _outbox(services)] == ["completed"]


def test_reject_previews_the_right_to_complain_and_a_refusal_keeps_the_form(
    agent_web: TestClient, services: Any
) -> None:
    reference = add_ticket(services)
    preview = _post(agent_web, reference, action="reject", reason="excessive", note="Fifth request this week.")
    assert preview.status_code == 200 and "Send and reject" in preview.text
    assert "because the request is excessive" in preview.text and "data protection authority" in preview.text
    assert ticket_of(services, reference).status == "open" and _outbox(services) == []
    missing = _post(agent_web, reference, action="reject", note="Why?")
    assert missing.status_code == 422 and "A rejection needs a reason" in missing.text


def test_a_slack_requester_is_previewed_the_direct_message(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services, channel="slack")
    with services.db.write() as session:
        session.exec(update(Ticket).where(col(Ticket.reference) == reference).values(slack_user_id="U123"))
    preview = _post(agent_web, reference, action="reject", reason="identity_not_verified")
    assert "as a Slack direct message" in preview.text and "could not verify your identity" in preview.text
    assert "Hello" not in preview.text.split("The notice the requester will receive")[1]


def test_only_the_actions_that_make_sense_are_offered(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    page = agent_web.get(f"/console/tickets/{reference}").text
    assert "Assign to me" in page and '<button type="submit" class="button">Start</button>' in page
    assert "Complete…" not in page and "Reject…" in page
    assert '<option value="1" selected>1 month</option>' in page  # extensions default to one month

    console_act(agent_web, reference, action="assign")
    console_act(agent_web, reference, action="start")
    page = agent_web.get(f"/console/tickets/{reference}").text
    assert "Assign to me" not in page and "Assigned to you." in page and "Reassign to" in page
    assert ">Start</button>" not in page and "Complete…" in page
    assert f'<option value="{AGENT[0]}"' not in page  # not offered to the one who has it

    console_act(agent_web, reference, action="complete", note="Done.")
    page = agent_web.get(f"/console/tickets/{reference}").text
    assert "no further actions are possible" in page and 'name="action"' not in page


def test_extend_without_months_is_one_month(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    due = ticket_of(services, reference).due_date
    assert console_act(agent_web, reference, action="extend", reason="Backups.").status_code == 303
    assert ticket_of(services, reference).extension_months == 1 and ticket_of(services, reference).due_date > due


def test_csv_has_labels_content_seconds_and_no_days_left_when_closed(agent_web: TestClient, services: Any) -> None:
    open_one = add_ticket(services, type="handoff")
    closed = add_ticket(services, email="bob@example.com")
    console_act(agent_web, closed, action="reject", reason="excessive", note="Again.")
    response = agent_web.get("/console/tickets.csv", params={"status": "all"})
    rows = {r["Reference"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    first = rows[open_one]
    assert first["Type"] == "Talk to a person" and first["Status"] == "open" and first["Channel"] == "web chat"
    assert first["Request"] == "What to delete: Everything in my myKONE account"
    assert first["Identity verified by"] == "Six-digit code sent to the e-mail address"
    assert first["Received at (UTC)"] == "2026-03-10 09:00:00" and first["Days left"] == "31"
    second = rows[closed]
    assert second["Status"] == "rejected" and second["Days left"] == "" and second["Rejection reason"] == "excessive"
    assert second["Closed at (UTC)"] == "2026-03-10 09:00:00" and second["Rejection explanation"] == "Again."
    assert "handoff" not in response.text and "email_code" not in response.text


def test_the_queue_shows_what_each_request_asks_and_keeps_itself_current(agent_web: TestClient, services: Any) -> None:
    add_ticket(services)
    page = agent_web.get("/console/tickets").text
    assert '<span class="gist">Everything in my myKONE account</span>' in page
    assert 'id="queue-live" role="status"' in page and '<script src="/static/console.js" defer></script>' in page
    script = agent_web.get("/static/console.js")
    assert script.status_code == 200 and "queue-results" in script.text


def test_the_sign_in_page_shows_no_shell_command(web: TestClient) -> None:
    page = web.get("/console/login").text
    assert "privacy-bot" not in page and "<code>" not in page and "Ask an administrator" in page


def test_completing_with_an_export_previews_the_notice_before_the_upload(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services, type="access")
    console_act(agent_web, reference, action="start")
    page = agent_web.get(f"/console/tickets/{reference}").text
    assert "Complete…" in page and 'type="file"' not in page.split("Complete with the export")[1].split("</div>")[0]
    preview = _post(agent_web, reference, action="complete", note="Here is everything we hold.")
    assert (
        preview.status_code == 200 and "Upload and complete" in preview.text and "Send and complete" not in preview.text
    )
    assert "Here is everything we hold." in preview.text and "made when you upload the file" in preview.text
    assert 'action="/console/tickets/' + reference + '/export"' in preview.text
    assert ticket_of(services, reference).status == "in_progress" and _outbox(services) == []
    empty = _post(agent_web, reference, action="complete", note="  ")
    assert empty.status_code == 422 and "resolution note" in empty.text
