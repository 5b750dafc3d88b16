"""The queue: filters, search, sorting, pagination, badges, dashboard and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.cases.casework import perform_action
from bot.cases.queue import QueueFilter, csv_safe, dashboard, list_tickets, urgency
from bot.errors import InvalidInput
from bot.store.models import Agent, Ticket
from tests.handlers.console.conftest import ADMIN, AGENT, add_ticket


def _act(services: Any, reference: str, action: str, email: str = AGENT[0], **fields: Any) -> None:
    with services.db.write() as session:
        agent = session.exec(select(Agent).where(Agent.email == email)).one()
        perform_action(session, reference=reference, action=action, actor=agent, now=services.clock(), **fields)


@pytest.fixture
def seeded(services: Any, clock: Any) -> dict[str, str]:
    """Tickets received on different days (so due dates differ), one per role in the tests."""
    start = clock()
    refs = {
        "old": add_ticket(services, email="olga@example.com", name="Olga Old", received=start - timedelta(days=40)),
        "soon": add_ticket(
            services, email="sam@example.com", name="Sam Soon", type="objection", received=start - timedelta(days=27)
        ),
        "mid": add_ticket(
            services,
            email="mia@example.com",
            name="Mia Middle",
            type="rectification",
            received=start - timedelta(days=22),
        ),
        "new": add_ticket(services, email="nina@example.com", name="Nina New", received=start),
        "done": add_ticket(services, email="dan@example.com", name="Dan Done", received=start - timedelta(days=6)),
    }
    _act(services, refs["mid"], "assign")  # to the agent
    _act(services, refs["new"], "assign", email=ADMIN[0])
    _act(services, refs["done"], "start")
    _act(services, refs["done"], "complete", note="All deleted.")
    return refs


def _refs(services: Any, me: str = AGENT[0], **filters: Any) -> list[str]:
    with services.db.read() as session:
        me_id = session.exec(select(Agent.id).where(Agent.email == me)).one()
        page = list_tickets(session, QueueFilter(**filters), today=services.clock().date(), me_id=me_id)
    return [t.reference for t, _ in page.rows]


def test_filters_search_and_sort(services: Any, seeded: dict[str, str]) -> None:
    r = seeded
    assert _refs(services) == [r["old"], r["soon"], r["mid"], r["done"], r["new"]]  # due date, soonest first
    assert _refs(services, sort="-due")[0] == r["new"]
    assert _refs(services, status="active") == [r["old"], r["soon"], r["mid"], r["new"]]
    assert _refs(services, status="completed") == [r["done"]]
    assert _refs(services, type="objection") == [r["soon"]]
    assert _refs(services, assignee="me") == [r["mid"]]
    assert _refs(services, assignee=ADMIN[0].upper()) == [r["new"]]
    assert _refs(services, assignee="none") == [r["old"], r["soon"], r["done"]]
    assert _refs(services, assignee="ghost@example.com") == []
    assert _refs(services, overdue=True) == [r["old"]]
    assert _refs(services, due_within=7) == [r["soon"], r["mid"]]
    assert _refs(services, q="MIA@example") == [r["mid"]]
    assert _refs(services, q="nina new") == [r["new"]]
    assert _refs(services, q=r["soon"].lower()) == [r["soon"]]
    assert _refs(services, q=r["soon"][-4:]) == [r["soon"]]
    assert _refs(services, q="%") == []  # wildcards are literal


def test_pagination_counts_every_page(services: Any, seeded: dict[str, str]) -> None:
    with services.db.read() as session:
        first = list_tickets(session, QueueFilter(per_page=2), today=services.clock().date())
        last = list_tickets(session, QueueFilter(per_page=2, page=3), today=services.clock().date())
    assert (first.total, first.pages, len(first.rows)) == (5, 3, 2)
    assert [t.reference for t, _ in last.rows] == [seeded["new"]]


def test_bad_filters_are_refused_clearly() -> None:
    with pytest.raises(InvalidInput, match="Unknown status"):
        QueueFilter(status="lost")
    with pytest.raises(InvalidInput, match="request type"):
        QueueFilter(type="everything")
    with pytest.raises(InvalidInput, match="sort"):
        QueueFilter(sort="name")


@pytest.mark.parametrize(
    ("days", "tone"), [(30, "green"), (10, "green"), (9, "amber"), (5, "amber"), (4, "red"), (0, "red"), (-3, "red")]
)
def test_days_left_badge(days: int, tone: str) -> None:
    today = date(2026, 3, 10)
    ticket = Ticket(
        reference="PRV-TEST-0001",
        type="deletion",
        channel="web",
        verified_via="email_code",
        verified_at=datetime(2026, 3, 1, tzinfo=UTC),
        due_date=today + timedelta(days=days),
    )
    assert urgency(ticket, today) == tone
    ticket.status = "completed"
    assert urgency(ticket, today) == "closed"


def test_dashboard_figures(services: Any, seeded: dict[str, str]) -> None:
    with services.db.read() as session:
        figures = dashboard(session, now=services.clock())
    assert figures.open_by_type == {"deletion": 2, "objection": 1, "rectification": 1}
    assert (figures.open_total, figures.overdue, figures.due_this_week) == (4, 1, 2)
    assert figures.median_days_to_close == 6.0


def test_queue_page_shows_dashboard_filters_and_badges(agent_web: TestClient, seeded: dict[str, str]) -> None:
    page = agent_web.get("/console/tickets")
    assert page.status_code == 200
    html = page.text
    assert seeded["done"] not in html  # the console opens on open work
    assert all(seeded[k] in html for k in ("old", "soon", "mid", "new"))
    assert 'badge--red">10 days overdue' in html and 'badge--red">1 day left' in html
    assert 'badge--amber">6 days left' in html and 'badge--green">31 days left' in html
    assert "Median days to close" in html and ">6.0<" in html
    mine = agent_web.get("/console/tickets", params={"assignee": "me", "status": "all"}).text
    assert seeded["mid"] in mine and seeded["old"] not in mine
    found = agent_web.get("/console/tickets", params={"q": "Sam", "status": "all"}).text
    assert seeded["soon"] in found and seeded["mid"] not in found
    paged = agent_web.get("/console/tickets", params={"per_page": 2}).text
    assert "Page 1 of 2" in paged and "page=2" in paged
    bad = agent_web.get("/console/tickets", params={"status": "lost"})
    assert bad.status_code == 422 and "Unknown status filter" in bad.text


def test_csv_export_is_filtered_and_formula_safe(agent_web: TestClient, services: Any, seeded: dict[str, str]) -> None:
    evil = add_ticket(
        services, email="eve@example.com", name='=HYPERLINK("http://evil","x")', company="+cmd|' /C calc'!A0"
    )
    response = agent_web.get("/console/tickets.csv", params={"status": "active", "type": "deletion"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["Reference"] for row in rows} == {seeded["old"], seeded["new"], evil}
    row = next(r for r in rows if r["Reference"] == evil)
    assert row["Requester name"].startswith("'=") and row["Requester company"].startswith("'+")
    assert "transcript" not in response.text.lower()


def test_csv_safe() -> None:
    assert [csv_safe(v) for v in ("=1+1", "@SUM(A1)", "-2", "\tx", "Alice", 3, -3)] == [
        "'=1+1",
        "'@SUM(A1)",
        "'-2",
        "'\tx",
        "Alice",
        3,
        -3,
    ]
