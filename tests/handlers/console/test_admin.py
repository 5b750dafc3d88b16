"""Admin pages: adding and deactivating agents, issuing and revoking API tokens."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.store.models import Agent, ApiToken
from tests.handlers.console.conftest import ADMIN, AGENT, csrf_of, sign_in


def _agent_id(services: Any, email: str) -> int:
    with services.db.read() as session:
        return session.exec(select(Agent.id).where(Agent.email == email)).one()


def test_admin_adds_an_agent_who_can_sign_in(admin_web: TestClient, services: Any) -> None:
    csrf = csrf_of(admin_web.get("/console/admin/agents").text)
    short = admin_web.post(
        "/console/admin/agents",
        data={"email": "carol@example.com", "password": "short", "role": "agent", "csrf_token": csrf},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    assert 'value="carol@example.com"' in short.text  # the form keeps what was typed (never the password)
    added = admin_web.post(
        "/console/admin/agents",
        data={
            "email": "Carol@Example.com",
            "name": "Carol",
            "password": "carol-password-1",
            "role": "agent",
            "csrf_token": csrf,
        },
    )
    assert added.status_code == 303
    assert "carol@example.com" in admin_web.get(added.headers["location"]).text
    duplicate = admin_web.post(
        "/console/admin/agents",
        data={"email": "carol@example.com", "password": "carol-password-1", "role": "agent", "csrf_token": csrf},
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    assert sign_in(admin_web, "carol@example.com", "carol-password-1").status_code == 303


def test_deactivation_ends_sessions_and_refuses_self(admin_web: TestClient, services: Any, make_services: Any) -> None:
    from app import create_app

    with TestClient(create_app(services.settings, services=services), follow_redirects=False) as agent_browser:
        assert sign_in(agent_browser, *AGENT).status_code == 303
        csrf = csrf_of(admin_web.get("/console/admin/agents").text)
        own = admin_web.post(
            f"/console/admin/agents/{_agent_id(services, ADMIN[0])}/deactivate", data={"csrf_token": csrf}
        )
        assert own.status_code == 409 and "your own account" in own.text
        done = admin_web.post(
            f"/console/admin/agents/{_agent_id(services, AGENT[0])}/deactivate", data={"csrf_token": csrf}
        )
        assert done.status_code == 303
        assert agent_browser.get("/console/tickets").status_code == 303  # signed out at once
        assert sign_in(agent_browser, *AGENT).status_code == 401


def test_admin_issues_and_revokes_api_tokens(admin_web: TestClient, services: Any) -> None:
    csrf = csrf_of(admin_web.get("/console/admin/tokens").text)
    issued = admin_web.post(
        "/console/admin/tokens", data={"agent_id": str(_agent_id(services, AGENT[0])), "csrf_token": csrf}
    )
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = re.search(r'value="(pbt_[^"]+)"', issued.text).group(1)  # type: ignore[union-attr]
    with services.db.read() as session:
        row = session.exec(select(ApiToken)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64  # stored hashed only
    headers = {"Authorization": f"Bearer {token}"}
    assert admin_web.get("/api/agent/tickets", headers=headers).status_code == 200
    listing = admin_web.get("/console/admin/tokens").text
    assert token not in listing and AGENT[0] in listing
    revoked = admin_web.post(f"/console/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert admin_web.get("/api/agent/tickets", headers=headers).status_code == 401
    again = admin_web.post(f"/console/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert again.status_code == 409 and "already revoked" in again.text
