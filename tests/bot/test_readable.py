"""The case file in words: audit events as sentences, clicked buttons by their labels, quotes without
their markers, and what a request asks in short and in full."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.cases.readable import (
    actor_label,
    describe_event,
    request_content,
    request_gist,
    status_change,
    transcript_view,
)
from bot.store.models import AuditEvent, Ticket, TicketTurn

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _event(action: str, detail: dict[str, Any], *, before: str | None = None, after: str | None = None) -> AuditEvent:
    return AuditEvent(
        ticket_id=1,
        at=AT,
        actor="agent:maria@example.com",
        action=action,
        from_status=before,
        to_status=after,
        detail=detail,
    )


@pytest.mark.parametrize(
    ("action", "detail", "sentence"),
    [
        (
            "created",
            {"channel": "web", "verified_via": "email_code"},
            "Filed the request in the web chat. Identity confirmed by: Six-digit code sent to the e-mail address.",
        ),
        (
            "assign",
            {"assignee": "tom@example.com", "previous_assignee_id": None},
            "Assigned the ticket to tom@example.com.",
        ),
        ("start", {}, "Started work on the request."),
        (
            "extend",
            {"months": 1, "reason": "Backups.", "old_due_date": "2026-04-10", "new_due_date": "2026-05-10"},
            "Extended the due date by 1 month, from 2026-04-10 to 2026-05-10. Reason told to the requester: “Backups.”",
        ),
        (
            "complete",
            {"resolution": "Deleted.", "export": {"content_type": "application/json", "size": 2048}},
            "Completed the request. Resolution sent to the requester: “Deleted.” With a copy of the data (JSON, 2 KB).",
        ),
        ("reject", {"reason": "excessive", "note": ""}, "Rejected the request: excessive."),
        ("note", {"note_id": 7}, "Added an internal note."),
        (
            "message",
            {"message_id": 3, "expects_reply": True, "channel": "email"},
            "Sent the requester a question by e-mail.",
        ),
        ("export_revoked", {"export_id": 2}, "Revoked the download link; its file was deleted."),
        (
            "reminder",
            {"threshold": 5, "due_date": "2026-04-10", "to": "assignee"},
            "Sent a deadline reminder to the assignee (due 2026-04-10).",
        ),
        ("something_new", {"flag_id": 4}, "Something new (flag id: 4)."),
    ],
)
def test_audit_events_read_as_sentences(action: str, detail: dict[str, Any], sentence: str) -> None:
    text = describe_event(_event(action, detail))
    assert text == sentence
    assert "_id" not in text and "verified_via" not in text


def test_who_and_the_status_change_are_labels() -> None:
    assert actor_label("agent:maria@example.com") == "maria@example.com"
    assert actor_label("requester") == "Requester" and actor_label("system") == "Helpdesk"
    assert status_change(_event("start", {}, before="open", after="in_progress")) == "open → in progress"
    assert status_change(_event("note", {}, before="open", after="open")) == ""
    assert status_change(_event("created", {}, after="open")) == "open"


def _turn(role: str, text: str, payload: dict[str, Any] | None = None) -> TicketTurn:
    return TicketTurn(ticket_id=1, role=role, text=text, payload=payload or {}, created_at=AT)


def test_the_transcript_shows_the_clicked_label_and_quotes_without_markers() -> None:
    offer = {
        "expecting": {
            "field": "scope",
            "kind": "choice",
            "prompt": "?",
            "choices": [
                {"id": "everything", "label": "My account and all my personal data"},
                {"id": "specific", "label": "Only specific data"},
            ],
        }
    }
    turns = [
        _turn("user", "", {"action": "start:deletion"}),  # the menu was offered before this flow began
        _turn(
            "bot",
            "Section 3 says:\n> We keep data only as long as needed.\n> Then we delete it.\n\nWhat should be deleted?",
            offer,
        ),
        _turn("user", "", {"action": "everything"}),
        _turn("user", "yes please"),
    ]
    entries = transcript_view(turns)
    assert [(e.chose, [b.text for b in e.blocks]) for e in entries] == [
        (True, ["Delete my data"]),
        (
            False,
            ["Section 3 says:", "We keep data only as long as needed.\nThen we delete it.", "What should be deleted?"],
        ),
        (True, ["My account and all my personal data"]),
        (False, ["yes please"]),
    ]
    assert [b.quote for b in entries[1].blocks] == [False, True, False]
    assert not any(">" in b.text for e in entries for b in e.blocks)


def test_a_request_in_short_and_in_full() -> None:
    ticket = Ticket(
        reference="PRV-AAAA-BBBB",
        type="rectification",
        status="open",
        channel="web",
        verified_via="email_code",
        verified_at=AT,
        received_at=AT,
        due_date=date(2026, 4, 10),
        details={"summary": [["What is wrong", "My mobile number"], ["Correct value", "+358 40 123 4567 " * 8]]},
    )
    assert request_content(ticket).startswith("What is wrong: My mobile number; Correct value: +358 40 123 4567")
    gist = request_gist(ticket)
    assert gist.startswith("My mobile number · +358 40 123 4567") and gist.endswith("…") and len(gist) <= 90
    assert request_gist(Ticket(**{**ticket.model_dump(), "details": {}})) == ""
