"""Working a ticket in the console: actions through the lifecycle, audit events, notifications, notes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select

from bot.store.conversations import record_turn
from bot.store.models import OutboxMessage
from tests.handlers.console.conftest import (
    ADMIN,
    AGENT,
    add_ticket,
    console_act,
    csrf_of,
    events_of,
    sign_in,
    ticket_of,
)


def _outbox(services: Any, reference: str) -> list[OutboxMessage]:
    ticket = ticket_of(services, reference)
    with services.db.read() as session:
        return list(
            session.exec(
                select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id).order_by(col(OutboxMessage.id))
            )
        )


def test_every_action_leaves_exactly_one_audit_event(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    steps = [
        ({"action": "assign"}, ("assign", "open", "open"), {"assignee": AGENT[0]}),
        ({"action": "assign", "assignee": ADMIN[0]}, ("assign", "open", "open"), {"assignee": ADMIN[0]}),
        ({"action": "start"}, ("start", "open", "in_progress"), {}),
        (
            {"action": "extend", "months": "2", "reason": "We must ask three subsidiaries."},
            ("extend", "in_progress", "in_progress"),
            {"months": 2, "new_due_date": "2026-06-10"},
        ),
        (
            {"action": "complete", "note": "Your account and its data are deleted."},
            ("complete", "in_progress", "completed"),
            {"resolution": "Your account and its data are deleted."},
        ),
    ]
    for form, (action, before, after), detail in steps:
        count = len(events_of(services, reference))
        response = console_act(agent_web, reference, **form)
        assert response.status_code == 303, response.text
        events = events_of(services, reference)
        assert len(events) == count + 1
        event = events[-1]
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action,
            before,
            after,
            f"agent:{AGENT[0]}",
        )
        assert detail.items() <= event.detail.items()
    page = agent_web.get(response.headers["location"])
    assert "The ticket is completed" in page.text and "no further actions are possible" in page.text

    rejected = add_ticket(services, email="bob@example.com")
    response = console_act(
        agent_web, rejected, action="reject", reason="excessive", note="Fifth identical request this month."
    )
    assert response.status_code == 303
    assert [(e.action, e.to_status) for e in events_of(services, rejected)] == [
        ("created", "open"),
        ("reject", "rejected"),
    ]


def test_requester_hears_of_extension_completion_and_rejection(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    console_act(agent_web, reference, action="start")
    console_act(agent_web, reference, action="extend", months="1", reason="Backups span two data centres.")
    console_act(agent_web, reference, action="complete", note="Deleted everywhere.")
    messages = _outbox(services, reference)
    assert [(m.kind, m.channel, m.recipient) for m in messages] == [
        ("extended", "email", "alice@example.com"),
        ("completed", "email", "alice@example.com"),
    ]
    assert "Backups span two data centres." in messages[0].body and "2026-05-10" in messages[0].body
    assert "Deleted everywhere." in messages[1].body

    rejected = add_ticket(services, email="bob@example.com", channel="slack")
    console_act(agent_web, rejected, action="reject", reason="identity_not_verified")
    (notice,) = _outbox(services, rejected)
    assert notice.kind == "rejected" and "could not verify your identity" in notice.body
    assert "data protection authority" in notice.body


def test_extension_after_the_due_date_is_refused(agent_web: TestClient, services: Any, clock: Any) -> None:
    reference = add_ticket(services)
    due = ticket_of(services, reference).due_date
    clock.advance(days=(due - clock().date()).days + 1)
    sign_in(agent_web, *AGENT)  # a month later the old session has long expired
    response = console_act(agent_web, reference, action="extend", months="2", reason="Late.")
    assert response.status_code == 409
    assert "past its due date" in response.text
    assert ticket_of(services, reference).due_date == due
    assert len(events_of(services, reference)) == 1 and _outbox(services, reference) == []
    # The page no longer offers the form, and says why.
    assert "can no longer be extended" in agent_web.get(f"/console/tickets/{reference}").text


def test_a_second_extension_is_refused(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    assert console_act(agent_web, reference, action="extend", months="1", reason="Complex.").status_code == 303
    extended = ticket_of(services, reference).due_date
    response = console_act(agent_web, reference, action="extend", months="1", reason="Still complex.")
    assert response.status_code == 409 and "already been extended once" in response.text
    assert ticket_of(services, reference).due_date == extended == date(2026, 5, 10)
    assert [e.action for e in events_of(services, reference)] == ["created", "extend"]


def test_extension_needs_a_reason_and_one_or_two_months(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    assert console_act(agent_web, reference, action="extend", months="2", reason="  ").status_code == 422
    assert console_act(agent_web, reference, action="extend", months="3", reason="Why not").status_code == 422
    assert console_act(agent_web, reference, action="extend", months="two", reason="Why not").status_code == 422
    assert len(events_of(services, reference)) == 1


def test_rejection_without_a_reason_is_refused(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    missing = console_act(agent_web, reference, action="reject", note="No.")
    assert missing.status_code == 422 and "A rejection needs a reason" in missing.text
    # The agent's text is kept in the form so nothing has to be retyped.
    assert ">No.</textarea>" in missing.text
    other = console_act(agent_web, reference, action="reject", reason="other")
    assert other.status_code == 422 and "Explain the reason" in other.text
    assert ticket_of(services, reference).status == "open"
    assert len(events_of(services, reference)) == 1 and _outbox(services, reference) == []


def test_illegal_transitions_are_refused_clearly(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    early = console_act(agent_web, reference, action="complete", note="Done?")
    assert early.status_code == 409 and "Start it first" in early.text
    console_act(agent_web, reference, action="reject", reason="manifestly_unfounded")
    for form in ({"action": "start"}, {"action": "assign"}, {"action": "withdraw"}):
        response = console_act(agent_web, reference, **form)
        assert response.status_code in (409, 422)
    assert [e.action for e in events_of(services, reference)] == ["created", "reject"]


def test_unknown_ticket_is_a_friendly_404(agent_web: TestClient) -> None:
    response = agent_web.get("/console/tickets/PRV-0000-0000")
    assert response.status_code == 404 and "There is no ticket PRV-0000-0000" in response.text
    assert "text/html" in response.headers["content-type"]


def test_notes_are_internal_and_audited(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    csrf = csrf_of(agent_web.get(f"/console/tickets/{reference}").text)
    response = agent_web.post(
        f"/console/tickets/{reference}/notes", data={"text": "Called Alice\nto confirm.", "csrf_token": csrf}
    )
    assert response.status_code == 303
    page = agent_web.get(response.headers["location"]).text
    assert "Called Alice\nto confirm." in page and "Your note has been added." in page
    assert [(e.action, e.detail.get("note_id")) for e in events_of(services, reference)][-1] == ("note", 1)
    assert _outbox(services, reference) == []  # the requester never sees notes
    empty = agent_web.post(f"/console/tickets/{reference}/notes", data={"text": "   ", "csrf_token": csrf})
    assert empty.status_code == 422 and "cannot be empty" in empty.text


def test_ticket_page_shows_the_case_and_escapes_everything(agent_web: TestClient, services: Any) -> None:
    now = services.clock()
    with services.db.write() as session:
        record_turn(
            session, session_id="s-1", role="user", text="<img src=x onerror=alert(1)> delete me", payload={}, at=now
        )
        record_turn(session, session_id="s-1", role="bot", text="I can help with that.", payload={}, at=now)
    reference = add_ticket(services, name="<script>alert('x')</script>", session_id="s-1", company="Kone & Co")
    html = agent_web.get(f"/console/tickets/{reference}").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt; delete me" in html
    assert "Kone &amp; Co" in html and "Everything in my myKONE account" in html
    assert "Six-digit code sent to the e-mail address" in html and "2026-03-10 09:00 UTC" in html
    assert "I can help with that." in html and "Audit trail" in html
    assert "<style" not in html and " style=" not in html and "<script" not in html  # the CSP allows neither


def test_full_record_export_as_json(agent_web: TestClient, services: Any) -> None:
    with services.db.write() as session:
        record_turn(
            session, session_id="s-2", role="user", text="please delete my data", payload={}, at=services.clock()
        )
    reference = add_ticket(services, session_id="s-2")
    console_act(agent_web, reference, action="start")
    response = agent_web.get(f"/console/tickets/{reference}/record.json")
    assert response.status_code == 200 and f'filename="{reference}.json"' in response.headers["content-disposition"]
    record = json.loads(response.text)
    assert next(iter(record)) == "reference" and record["reference"] == reference
    assert record["status"] == "in_progress" and record["details"]["scope"] == "everything"
    assert [e["action"] for e in record["events"]] == ["created", "start"]
    assert record["transcript"] == [
        {"at": "2026-03-10T09:00:00+00:00", "role": "user", "text": "please delete my data"}
    ]
    assert record["days_left"] == 31


def test_extension_on_the_due_date_itself_is_allowed(agent_web: TestClient, services: Any, clock: Any) -> None:
    reference = add_ticket(services)
    due = ticket_of(services, reference).due_date
    clock.advance(days=(due - clock().date()).days)
    sign_in(agent_web, *AGENT)
    assert (
        console_act(agent_web, reference, action="extend", months="1", reason="Need data from a processor.").status_code
        == 303
    )
    assert ticket_of(services, reference).due_date == due + timedelta(days=30)
