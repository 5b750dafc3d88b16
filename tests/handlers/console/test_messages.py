"""Two-way messages on a ticket: an agent asks from the ticket page or the API, the requester reads
it by e-mail and in the widget, answers in the chat, and the answer lands on the ticket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app import create_app
from bot.access.agents import get_agent_by_email
from bot.access.identity import sign_identity
from bot.access.sessions import issue_api_token
from bot.cases.casework import perform_action
from bot.store.models import OutboxMessage, TicketMessage
from tests.factories import ChatDriver, RecordingSender
from tests.handlers.console.conftest import ADMIN, AGENT, add_agent, add_ticket, csrf_of, events_of, sign_in, ticket_of
from tests.handlers.slack.fake_slack import wait_until

PORTAL_SECRET = "portal-signing-secret"
REQUESTER = "alice@example.com"
QUESTION = "Which phone number is wrong: your mobile or your office number?"


@pytest.fixture
def app_services(make_services: Any, make_settings: Any, database_url: str) -> Any:
    built = make_services(make_settings(DATABASE_URL=database_url, WIDGET_IDENTITY_SECRET=PORTAL_SECRET))
    add_agent(built, *ADMIN, role="admin")
    add_agent(built, *AGENT)
    return built


@pytest.fixture
def web(app_services: Any) -> Iterator[TestClient]:
    with TestClient(create_app(app_services.settings, services=app_services), follow_redirects=False) as client:
        yield client


def _assign_to_agent(services: Any, reference: str) -> None:
    with services.db.write() as session:
        agent = get_agent_by_email(session, AGENT[0])
        assert agent is not None
        perform_action(session, reference=reference, action="assign", actor=agent, now=services.clock())


def _ask_from_the_page(web: TestClient, reference: str, text: str = QUESTION, **extra: str) -> Any:
    page = web.get(f"/console/tickets/{reference}")
    assert page.status_code == 200
    data = {"text": text, "expects_reply": "yes", "csrf_token": csrf_of(page.text), **extra}
    return web.post(f"/console/tickets/{reference}/messages", data=data)


def code_sent(outbox: RecordingSender, email: str) -> str | None:
    """The latest code e-mailed to `email`, once the outbox worker has sent one."""
    try:
        return outbox.last_code(email)
    except AssertionError:
        return None


def _portal_chat(web: TestClient, email: str = REQUESTER) -> ChatDriver:
    return ChatDriver(web, identity={"email": email, "name": "Alice", "signature": sign_identity(email, PORTAL_SECRET)})


def test_a_question_from_the_ticket_page_reaches_the_requester_and_their_answer_the_ticket(
    web: TestClient, app_services: Any, outbox: RecordingSender
) -> None:
    services = app_services
    reference = add_ticket(services, email=REQUESTER, type="rectification")
    _assign_to_agent(services, reference)
    assert sign_in(web, *AGENT).status_code == 303

    response = _ask_from_the_page(web, reference)
    assert response.status_code == 303 and response.headers["location"].endswith("done=message#messages")
    ticket = ticket_of(services, reference)
    assert ticket.awaiting_requester_since == services.clock() and str(ticket.due_date) == "2026-04-10"
    page = web.get(f"/console/tickets/{reference}").text
    assert "Waiting for requester since" in page and QUESTION in page

    # By e-mail, with the reference in the subject and how to answer.
    mail = wait_until(lambda: [m for m in outbox.to(REQUESTER) if m.kind == "team_message"], what="the e-mail")[0]
    assert reference in mail.subject and QUESTION in mail.body and f"reply to {reference}" in mail.body

    # In the widget, the next time the (portal-signed-in) requester opens it and says anything.
    chat = _portal_chat(web)
    shown = chat.say("hello")
    assert reference in shown["reply"] and QUESTION in shown["reply"] and chat.expecting == "message"
    chat.say("The mobile one: it should be +358 40 123 4567.")
    assert chat.expecting == "confirm" and "+358 40 123 4567" in chat.last["reply"]
    done = chat.click("yes")
    assert done["ticket"]["reference"] == reference and "added your answer" in done["reply"]

    with services.db.read() as session:
        answers = session.exec(select(TicketMessage).where(TicketMessage.direction == "from_requester")).all()
    assert [(a.text, a.channel) for a in answers] == [("The mobile one: it should be +358 40 123 4567.", "web")]
    assert ticket_of(services, reference).awaiting_requester_since is None
    assert [e.action for e in events_of(services, reference)][-2:] == ["message", "requester_replied"]
    # The assignee hears of it by e-mail, without the requester's words.
    told = wait_until(lambda: outbox.to(AGENT[0]), what="the assignee's e-mail")[0]
    assert told.kind == "agent_requester_answered" and reference in told.subject and "+358" not in told.body
    # The case file export has the whole exchange.
    record = json.loads(web.get(f"/console/tickets/{reference}/record.json").text)
    assert [(m["direction"], m["author"]) for m in record["messages"]] == [
        ("to_requester", AGENT[0]),
        ("from_requester", "requester"),
    ]
    # Shown once: the next turn is an ordinary one.
    assert QUESTION not in chat.say("thanks")["reply"]


def test_an_email_requester_answers_with_reply_to_the_reference_after_a_code(
    web: TestClient, app_services: Any, outbox: RecordingSender
) -> None:
    reference = add_ticket(app_services, email=REQUESTER)
    assert sign_in(web, *AGENT).status_code == 303
    _ask_from_the_page(web, reference)
    chat = ChatDriver(web)  # a guest: not signed in to the portal
    asked = chat.say(f"reply to {reference}")
    assert chat.expecting == "email" and QUESTION not in asked["reply"]  # nothing shown before verification
    chat.say(REQUESTER)
    code = wait_until(lambda: code_sent(outbox, REQUESTER), what="the code")
    shown = chat.say(code)
    assert QUESTION in shown["reply"] and chat.expecting == "message"
    chat.say("My office number, sorry.")
    chat.click("yes")
    with app_services.db.read() as session:
        answer = session.exec(select(TicketMessage).where(TicketMessage.direction == "from_requester")).one()
    assert answer.text == "My office number, sorry."
    # Unassigned and no Slack: the admins are told.
    assert wait_until(lambda: outbox.to(ADMIN[0]), what="the admins' e-mail")[0].kind == "agent_requester_answered"


def test_nobody_else_can_read_or_answer_the_question(web: TestClient, app_services: Any) -> None:
    reference = add_ticket(app_services, email=REQUESTER)
    assert sign_in(web, *AGENT).status_code == 303
    _ask_from_the_page(web, reference)
    mallory = _portal_chat(web, "mallory@example.com")
    first = mallory.say("hello")
    assert QUESTION not in first["reply"]
    refused = mallory.say(f"reply to {reference}")
    assert "couldn't find a request" in refused["reply"] and QUESTION not in refused["reply"]
    with app_services.db.read() as session:
        assert session.exec(select(TicketMessage).where(TicketMessage.direction == "from_requester")).all() == []


def test_the_form_needs_its_csrf_token_and_text(web: TestClient, app_services: Any) -> None:
    reference = add_ticket(app_services)
    assert sign_in(web, *AGENT).status_code == 303
    forged = web.post(f"/console/tickets/{reference}/messages", data={"text": "hi", "csrf_token": "forged"})
    assert forged.status_code == 403
    empty = _ask_from_the_page(web, reference, text="   ")
    assert empty.status_code == 422 and "cannot be empty" in empty.text
    with app_services.db.read() as session:
        assert session.exec(select(TicketMessage)).all() == []


def test_the_api_writes_lists_and_refuses_closed_tickets(web: TestClient, app_services: Any) -> None:
    services = app_services
    with services.db.write() as session:
        agent = get_agent_by_email(session, AGENT[0])
        assert agent is not None
        token, _ = issue_api_token(session, agent, now=services.clock())
    api = {"Authorization": f"Bearer {token}"}
    reference = add_ticket(services, channel="cli")
    created = web.post(f"/api/agent/tickets/{reference}/messages", json={"text": "Just so you know."}, headers=api)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["direction"] == "to_requester" and body["author_email"] == AGENT[0] and body["expects_reply"]
    note = web.post(
        f"/api/agent/tickets/{reference}/messages",
        json={"text": "No answer needed.", "expects_reply": False},
        headers=api,
    )
    assert note.status_code == 201
    detail = web.get(f"/api/agent/tickets/{reference}", headers=api).json()
    assert [m["text"] for m in detail["messages"]] == ["Just so you know.", "No answer needed."]
    assert detail["awaiting_requester_since"] is not None
    assert web.post(f"/api/agent/tickets/{reference}/messages", json={"text": ""}, headers=api).status_code == 422
    with services.db.write() as session:
        agent = get_agent_by_email(session, AGENT[0])
        assert agent is not None
        perform_action(session, reference=reference, action="start", actor=agent, now=services.clock())
        perform_action(session, reference=reference, action="complete", actor=agent, now=services.clock(), note="Done.")
    assert ticket_of(services, reference).awaiting_requester_since is None  # a closed ticket waits for no one
    closed = web.post(f"/api/agent/tickets/{reference}/messages", json={"text": "One more thing"}, headers=api)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "transition_refused"
    with services.db.read() as session:
        kinds = session.exec(select(OutboxMessage.kind).order_by(col(OutboxMessage.id))).all()
    assert kinds.count("team_message") == 2
