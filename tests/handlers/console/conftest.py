"""Console fixtures: a fresh app per test (SQLite, and PostgreSQL when configured), agents, tickets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import create_app
from bot.access.agents import create_agent
from bot.cases.tickets import create_ticket
from bot.store.conversations import snapshot_transcript
from bot.store.models import Ticket
from bot.types import Requester

ADMIN = ("admin@example.com", "admin-password-123")
AGENT = ("agent@example.com", "agent-password-123")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a console page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def add_ticket(
    services: Any,
    *,
    email: str = "alice@example.com",
    name: str = "Alice Example",
    type: str = "deletion",
    channel: str = "web",
    received: datetime | None = None,
    session_id: str | None = None,
    company: str | None = "Acme Oy",
) -> str:
    """A verified requester's ticket, created as the chat would (one 'created' audit event); its reference."""
    now = received or services.clock()
    requester = Requester(email=email, name=name, verified_via="email_code")
    details = {"scope": "everything", "summary": [["What to delete", "Everything in my myKONE account"]]}
    with services.db.write() as session:
        ticket: Ticket = create_ticket(
            session,
            type=type,
            requester=requester,
            verified_at=now,
            channel=channel,
            details=details,
            now=now,
            company=company,
            session_id=session_id,
        )
        if session_id and ticket.id is not None:  # the chat copies the flow's turns at filing
            snapshot_transcript(session, ticket_id=ticket.id, session_id=session_id, since=None)
        return ticket.reference


def add_agent(services: Any, email: str, password: str, role: str = "agent") -> int:
    with services.db.write() as session:
        agent = create_agent(session, email=email, password=password, role=role, now=services.clock())
        assert agent.id is not None
        return agent.id


@pytest.fixture
def services(make_services: Callable[..., Any], make_settings: Callable[..., Any], database_url: str) -> Any:
    """Services on the parametrised database, with an admin and an agent account."""
    built = make_services(make_settings(DATABASE_URL=database_url))
    add_agent(built, *ADMIN, role="admin")
    add_agent(built, *AGENT)
    return built


@pytest.fixture
def web(services: Any) -> Iterator[TestClient]:
    """An anonymous browser-like client (cookies kept, redirects not followed)."""
    with TestClient(create_app(services.settings, services=services), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, email: str, password: str) -> Any:
    """Fetch the login form (for its CSRF token) and post it; returns the POST response."""
    form = client.get("/console/login")
    assert form.status_code == 200
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": csrf_of(form.text)})


@pytest.fixture
def agent_web(web: TestClient) -> TestClient:
    response = sign_in(web, *AGENT)
    assert response.status_code == 303, response.text
    return web


@pytest.fixture
def admin_web(web: TestClient) -> TestClient:
    response = sign_in(web, *ADMIN)
    assert response.status_code == 303, response.text
    return web


def events_of(services: Any, reference: str) -> list[Any]:
    """The ticket's audit events, oldest first."""
    from sqlmodel import col, select

    from bot.store.models import AuditEvent

    with services.db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.ticket_id == ticket.id).order_by(col(AuditEvent.id)))
        )


def ticket_of(services: Any, reference: str) -> Ticket:
    from sqlmodel import select

    with services.db.read() as session:
        return session.exec(select(Ticket).where(Ticket.reference == reference)).one()


def console_act(client: TestClient, reference: str, **data: str) -> Any:
    """Submit one of the ticket page's action forms, with the page's CSRF token; complete and reject
    as confirmed after their preview unless `confirm` says otherwise."""
    page = client.get(f"/console/tickets/{reference}")
    assert page.status_code == 200, page.text
    if data.get("action") in ("complete", "reject"):
        data.setdefault("confirm", "yes")
    return client.post(f"/console/tickets/{reference}/actions", data={**data, "csrf_token": csrf_of(page.text)})
