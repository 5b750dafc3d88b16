"""Console access: sign-in, session cookie, CSRF, roles, expiry, rate limits, sign-out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlmodel import select

from app import create_app
from bot.store.models import ConsoleSession, Note
from tests.handlers.console.conftest import ADMIN, AGENT, add_agent, add_ticket, csrf_of, sign_in


def test_sign_in_sets_a_hardened_session_cookie(web: TestClient, services: Any) -> None:
    response = sign_in(web, *AGENT)
    assert response.status_code == 303 and response.headers["location"] == "/console/tickets"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("console_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    value = web.cookies.get("console_session")
    with services.db.read() as session:
        stored = session.exec(select(ConsoleSession)).all()
    # Only a hash of the cookie is stored, with its own CSRF token and an expiry.
    assert len(stored) == 1 and stored[0].id != value and len(stored[0].id) == 64
    assert stored[0].expires_at == services.clock() + timedelta(hours=8)
    page = web.get("/console/tickets")
    assert page.status_code == 200 and AGENT[0] in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_cookie_is_secure_behind_https(make_services: Any, make_settings: Any) -> None:
    services = make_services(make_settings(PUBLIC_URL="https://helpdesk.example.com"))
    add_agent(services, *AGENT)
    with TestClient(
        create_app(services.settings, services=services), base_url="https://testserver", follow_redirects=False
    ) as client:
        response = sign_in(client, *AGENT)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-console_session=") and "Secure" in cookie and "Path=/" in cookie


def test_wrong_password_is_refused_without_saying_which_part(web: TestClient) -> None:
    wrong = sign_in(web, AGENT[0], "not-the-password")
    unknown = sign_in(web, "nobody@example.com", "whatever-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "do not match an active account" in response.text
    assert "console_session" not in web.cookies
    assert web.get("/console/tickets").status_code == 303


def test_pages_need_a_session_and_return_after_sign_in(web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    response = web.get(f"/console/tickets/{reference}")
    assert response.status_code == 303
    location = urlparse(response.headers["location"])
    assert location.path == "/console/login"
    target = parse_qs(location.query)["next"][0]
    assert target == f"/console/tickets/{reference}"
    form = web.get(response.headers["location"])
    signed_in = web.post(
        "/console/login",
        data={"email": AGENT[0], "password": AGENT[1], "next": target, "csrf_token": csrf_of(form.text)},
    )
    assert signed_in.headers["location"] == target


def test_next_never_leaves_the_console(web: TestClient) -> None:
    form = web.get("/console/login")
    for target in ("//evil.example.com/console", "https://evil.example.com", "/api/chat"):
        response = web.post(
            "/console/login",
            data={"email": AGENT[0], "password": AGENT[1], "next": target, "csrf_token": csrf_of(form.text)},
        )
        assert response.headers["location"] == "/console/tickets"
        form = web.get("/console/login")


def test_post_without_csrf_token_is_forbidden(agent_web: TestClient, services: Any) -> None:
    reference = add_ticket(services)
    for data in ({"text": "a note"}, {"text": "a note", "csrf_token": "forged"}):
        response = agent_web.post(f"/console/tickets/{reference}/notes", data=data)
        assert response.status_code == 403
        assert "did not come from the console" in response.text and "text/html" in response.headers["content-type"]
    assert agent_web.post(f"/console/tickets/{reference}/actions", data={"action": "start"}).status_code == 403
    assert agent_web.post("/console/logout").status_code == 403
    with services.db.read() as session:
        assert session.exec(select(Note)).all() == []
    assert agent_web.get("/console/tickets").status_code == 200  # still signed in


def test_login_form_needs_its_csrf_token(web: TestClient) -> None:
    web.get("/console/login")
    response = web.post("/console/login", data={"email": AGENT[0], "password": AGENT[1]})
    assert response.status_code == 403
    assert "console_session" not in web.cookies


def test_agent_on_admin_pages_is_forbidden(agent_web: TestClient) -> None:
    for path in ("/console/admin/agents", "/console/admin/tokens"):
        response = agent_web.get(path)
        assert response.status_code == 403 and "for administrators" in response.text
    csrf = csrf_of(agent_web.get("/console/tickets").text)
    added = agent_web.post(
        "/console/admin/agents",
        data={"email": "x@example.com", "password": "p" * 12, "role": "admin", "csrf_token": csrf},
    )
    assert added.status_code == 403
    assert "Agents</a>" not in agent_web.get("/console/tickets").text  # no admin links for agents


def test_expired_session_goes_back_to_sign_in(agent_web: TestClient, clock: Any) -> None:
    assert agent_web.get("/console/tickets").status_code == 200
    clock.advance(hours=9)
    response = agent_web.get("/console/tickets")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")
    assert "expired=1" in response.headers["location"]
    login = agent_web.get(response.headers["location"])
    assert "Your session has ended" in login.text


def test_wrong_passwords_are_rate_limited(web: TestClient) -> None:
    for _ in range(5):  # LOGIN_RATE_LIMIT is 5/minute
        assert sign_in(web, AGENT[0], "wrong-password-guess").status_code == 401
    blocked = sign_in(web, AGENT[0], "wrong-password-guess")
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.text and "seconds" in blocked.text
    assert int(blocked.headers["retry-after"]) >= 1
    # Even the right password waits: guessing cannot continue.
    assert sign_in(web, *AGENT).status_code == 429


def _from(web: TestClient, address: str) -> TestClient:
    """Another browser, at another client address, on the same app."""
    return TestClient(web.app, client=(address, 40000), follow_redirects=False)


def test_wrong_passwords_from_rotating_clients_never_lock_the_agent_out(web: TestClient) -> None:
    for n in range(8):  # five used to lock the account for everyone
        assert sign_in(_from(web, f"203.0.113.{n + 1}"), AGENT[0], "wrong-password-guess").status_code == 401
    assert sign_in(_from(web, "198.51.100.7"), *AGENT).status_code == 303  # a new device, even
    assert sign_in(web, *ADMIN).status_code == 303


def test_a_pair_limit_does_not_stop_the_same_client_signing_in_to_another_account(web: TestClient) -> None:
    for _ in range(5):
        assert sign_in(web, AGENT[0], "wrong-password-guess").status_code == 401
    assert sign_in(web, AGENT[0], "wrong-password-guess").status_code == 429
    assert sign_in(web, *ADMIN).status_code == 303  # another account, same client: still allowed


def test_an_account_under_attack_slows_new_devices_with_a_growing_delay_but_not_known_ones(
    web: TestClient, clock: Any
) -> None:
    assert sign_in(web, *AGENT).status_code == 303  # the agent's own browser: now a known device
    assert web.cookies.get("console_known_device")
    for n in range(20):  # twenty failures per hour per account are free
        assert sign_in(_from(web, f"203.0.113.{n + 1}"), AGENT[0], "guess").status_code == 401
    waits = []
    for n in range(3):
        delayed = sign_in(_from(web, f"192.0.2.{n + 1}"), AGENT[0], "guess")
        assert delayed.status_code == 429 and "Too many sign-in attempts" in delayed.text
        waits.append(int(delayed.headers["retry-after"]))
        clock.advance(seconds=waits[-1])
        assert sign_in(_from(web, f"192.0.2.{n + 1}"), AGENT[0], "guess").status_code == 401
    assert waits == [1, 2, 4]  # the delay grows with every further failure
    newcomer = _from(web, "198.51.100.9")
    assert sign_in(newcomer, *AGENT).status_code == 429  # an unknown browser waits too...
    assert sign_in(web, *AGENT).status_code == 303  # ...the agent's own does not
    assert sign_in(newcomer, *AGENT).status_code == 303  # and their success released the brake


def test_sign_out_ends_the_session_server_side(agent_web: TestClient, services: Any) -> None:
    cookie = agent_web.cookies.get("console_session")
    csrf = csrf_of(agent_web.get("/console/tickets").text)
    response = agent_web.post("/console/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/console/login?signed_out=1"
    assert "You have signed out" in agent_web.get(response.headers["location"]).text
    with services.db.read() as session:
        assert session.exec(select(ConsoleSession)).all() == []
    agent_web.cookies.set("console_session", cookie)  # a copied cookie is worthless now
    assert agent_web.get("/console/tickets").status_code == 303
