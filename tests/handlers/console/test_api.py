"""The agent JSON API: bearer tokens, the queue, one ticket, actions and notes, the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.access.agents import deactivate_agent, get_agent_by_email
from bot.access.sessions import issue_api_token, revoke_api_token
from tests.handlers.console.conftest import ADMIN, AGENT, add_ticket, events_of


def _token(services: Any, email: str = AGENT[0]) -> tuple[str, int]:
    with services.db.write() as session:
        agent = get_agent_by_email(session, email)
        assert agent is not None
        token, row = issue_api_token(session, agent, now=services.clock())
        return token, row.id or 0


@pytest.fixture
def api(web: TestClient, services: Any) -> TestClient:
    token, _ = _token(services)
    web.headers["Authorization"] = f"Bearer {token}"
    return web


def test_missing_unknown_and_revoked_tokens_get_401(web: TestClient, services: Any) -> None:
    missing = web.get("/api/agent/tickets")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "not_authenticated"
    assert web.get("/api/agent/tickets", headers={"Authorization": "Bearer pbt_made-up"}).status_code == 401
    assert web.get("/api/agent/tickets", headers={"Authorization": "Basic YWdlbnQ6cGFzcw=="}).status_code == 401
    token, token_id = _token(services)
    headers = {"Authorization": f"Bearer {token}"}
    assert web.get("/api/agent/tickets", headers=headers).status_code == 200
    with services.db.write() as session:
        revoke_api_token(session, token_id=token_id, now=services.clock())
    revoked = web.get("/api/agent/tickets", headers=headers)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]


def test_a_deactivated_agents_token_stops_working(web: TestClient, services: Any) -> None:
    token, _ = _token(services)
    with services.db.write() as session:
        admin = get_agent_by_email(session, ADMIN[0])
        agent = get_agent_by_email(session, AGENT[0])
        assert admin and agent and agent.id
        deactivate_agent(session, agent_id=agent.id, by=admin, now=services.clock())
    assert web.get("/api/agent/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_list_with_filters(api: TestClient, services: Any) -> None:
    first = add_ticket(services, email="alice@example.com")
    second = add_ticket(services, email="bob@example.com", name="Bob Builder", type="objection")
    body = api.get("/api/agent/tickets").json()
    assert body["count"] == 2 and {t["reference"] for t in body["data"]} == {first, second}
    ticket = next(t for t in body["data"] if t["reference"] == first)
    assert ticket["days_left"] == 31 and ticket["due_date"] == "2026-04-10" and ticket["assignee_email"] is None
    assert ticket["details"]["scope"] == "everything" and ticket["requester_email"] == "alice@example.com"
    assert api.get("/api/agent/tickets", params={"type": "objection"}).json()["data"][0]["reference"] == second
    assert api.get("/api/agent/tickets", params={"q": "builder"}).json()["count"] == 1
    assert api.get("/api/agent/tickets", params={"overdue": "true"}).json()["count"] == 0
    assert api.get("/api/agent/tickets", params={"per_page": 1, "page": 2}).json()["count"] == 2
    api.post(f"/api/agent/tickets/{first}/actions", json={"action": "assign"})
    assert [t["reference"] for t in api.get("/api/agent/tickets", params={"assignee": "me"}).json()["data"]] == [first]
    bad = api.get("/api/agent/tickets", params={"status": "lost"})
    assert bad.status_code == 422 and "Unknown status filter" in bad.json()["error"]["message"]


def test_get_one_with_events_and_notes(api: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    note = api.post(f"/api/agent/tickets/{reference.lower()}/notes", json={"text": "Checking the CRM too."})
    assert note.status_code == 201 and note.json()["author_email"] == AGENT[0]
    body = api.get(f"/api/agent/tickets/{reference}").json()
    assert body["reference"] == reference and body["status"] == "open"
    assert [(e["action"], e["actor"]) for e in body["events"]] == [
        ("created", "requester"),
        ("note", f"agent:{AGENT[0]}"),
    ]
    assert [n["text"] for n in body["notes"]] == ["Checking the CRM too."]
    missing = api.get("/api/agent/tickets/PRV-0000-0000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ticket_not_found"
    assert api.post(f"/api/agent/tickets/{reference}/notes", json={"text": ""}).status_code == 422


def test_actions_through_the_api_each_write_one_audit_event(api: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    steps = [
        ({"action": "assign", "assignee": ADMIN[0]}, "open"),
        ({"action": "start"}, "in_progress"),
        ({"action": "extend", "months": 1, "reason": "Waiting for a processor."}, "in_progress"),
        ({"action": "complete", "note": "Done: all records erased."}, "completed"),
    ]
    for body, status in steps:
        before = len(events_of(services, reference))
        response = api.post(f"/api/agent/tickets/{reference}/actions", json=body)
        assert response.status_code == 200, response.text
        ticket = response.json()
        assert ticket["status"] == status and len(ticket["events"]) == before + 1 == len(events_of(services, reference))
        assert ticket["events"][-1]["action"] == body["action"] and ticket["events"][-1]["actor"] == f"agent:{AGENT[0]}"
    assert ticket["assignee_email"] == ADMIN[0] and ticket["due_date"] == "2026-05-10"


def test_refused_actions_answer_4xx_with_the_reason(api: TestClient, services: Any, clock: Any) -> None:
    reference = add_ticket(services)
    cases = [
        ({"action": "reject"}, 422, "A rejection needs a reason"),
        ({"action": "reject", "reason": "other"}, 422, "Explain the reason"),
        ({"action": "complete", "note": "x"}, 409, "Start it first"),
        ({"action": "extend", "months": 1}, 422, "needs a reason"),
        ({"action": "extend", "months": 3, "reason": "x"}, 422, "months"),
        ({"action": "assign", "assignee": "nobody@example.com"}, 422, "no active agent"),
        ({"action": "withdraw"}, 422, "action"),
        ({"action": "start", "unexpected": True}, 200, ""),
    ]
    for body, status, message in cases:
        response = api.post(f"/api/agent/tickets/{reference}/actions", json=body)
        assert response.status_code == status, (body, response.text)
        if status != 200:
            assert message in response.json()["error"]["message"]
    api.post(f"/api/agent/tickets/{reference}/actions", json={"action": "extend", "months": 2, "reason": "Complex."})
    again = api.post(
        f"/api/agent/tickets/{reference}/actions", json={"action": "extend", "months": 1, "reason": "More."}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "transition_refused"
    late = add_ticket(services)
    clock.advance(days=40)
    past = api.post(f"/api/agent/tickets/{late}/actions", json={"action": "extend", "months": 1, "reason": "Late."})
    assert past.status_code == 409 and "past its due date" in past.json()["error"]["message"]
    assert [e.action for e in events_of(services, reference)] == ["created", "start", "extend"]
    assert [e.action for e in events_of(services, late)] == ["created"]


def test_openapi_documents_the_agent_api(web: TestClient) -> None:
    schema = web.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "pbt_…",
        "description": schema["components"]["securitySchemes"]["ApiToken"]["description"],
    }
    paths = schema["paths"]
    listing = paths["/api/agent/tickets"]["get"]
    assert listing["security"] == [{"ApiToken": []}]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TicketsPublic")
    assert {p["name"] for p in listing["parameters"]} >= {
        "status",
        "type",
        "assignee",
        "overdue",
        "due_within",
        "q",
        "sort",
        "page",
    }
    act = paths["/api/agent/tickets/{reference}/actions"]["post"]
    assert act["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TicketDetailPublic")
    assert {"401", "404", "409", "422"} <= set(act["responses"])
    assert "/api/agent/tickets/{reference}/notes" in paths and "/api/agent/tickets/{reference}" in paths
    assert not any(path.startswith("/console") for path in paths)  # pages are not API


def test_agent_api_responses_are_never_cached(api: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    for path in ("/api/agent/tickets", f"/api/agent/tickets/{reference}", "/api/agent/tickets/PRV-NONE-XXXX"):
        assert api.get(path).headers["cache-control"] == "no-store", path
