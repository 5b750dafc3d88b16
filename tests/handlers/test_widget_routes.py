"""The widget's routes over HTTP: content types, caching, the demo page's CSP, and CORS for the API."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import create_app

PORTAL = "https://portal.example.com"
STRANGER = "https://evil.example.net"
WIDGET_JS = Path(__file__).resolve().parents[2] / "handlers" / "static" / "widget.js"


@pytest.fixture
def web(make_services: Any, make_settings: Any) -> Iterator[TestClient]:
    services = make_services(make_settings(WIDGET_ALLOWED_ORIGINS=PORTAL))
    with TestClient(create_app(services.settings, services=services)) as client:
        yield client


def test_widget_js_is_javascript_small_cacheable_and_embeddable(web: TestClient) -> None:
    response = web.get("/widget.js", headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"  # so the exact type matters
    # Served gzipped to every browser: the bytes that travel are the budget; the raw size only bounds growth.
    assert len(response.content) < 64 * 1024
    with web.stream("GET", "/widget.js", headers={"accept-encoding": "gzip"}) as zipped:
        assert zipped.headers["content-encoding"] == "gzip"
        assert len(b"".join(zipped.iter_raw())) < 20 * 1024
    assert "max-age=" in response.headers["cache-control"] and "public" in response.headers["cache-control"]
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    etag = response.headers["etag"]
    again = web.get("/widget.js", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""


def test_widget_js_is_served_compressed_when_asked(web: TestClient) -> None:
    response = web.get("/widget.js", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert b"PrivacyBot" in response.content  # httpx decodes it: the content is the script


def test_widget_source_never_parses_text_as_html() -> None:
    source = WIDGET_JS.read_text(encoding="utf-8")
    sinks = (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("style"',
    )
    for sink in sinks:
        assert sink not in source, sink
    assert 'rel: "noopener noreferrer"' in source


def test_demo_page_embeds_the_widget_under_a_strict_csp(web: TestClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert html.count("<script") == 1 and '<script src="/widget.js" async></script>' in html
    assert " style=" not in html and "on" + "click=" not in html  # nothing inline that a CSP must allow
    csp = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'none'" and csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    # The one inline <style> is allowed by its hash, so the page's own CSP is what the browser enforces.
    style = re.search(r"<style>(.*?)</style>", html, flags=re.DOTALL).group(1)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp["style-src"]
    assert web.head("/").status_code == 200


def test_cors_preflight_allows_only_the_configured_origins(web: TestClient) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    allowed = web.options("/api/chat", headers={"origin": PORTAL, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "content-type" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers

    refused = web.options("/api/chat", headers={"origin": STRANGER, **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_cors_on_the_actual_requests(web: TestClient) -> None:
    ok = web.post("/api/chat", json={"message": "hello"}, headers={"origin": PORTAL})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == PORTAL
    session_id = ok.json()["session_id"]
    history = web.get(f"/api/chat/{session_id}/history", headers={"origin": PORTAL})
    assert history.headers["access-control-allow-origin"] == PORTAL
    # The server still answers a stranger (CORS is enforced by the browser), but without the
    # header that would let the stranger's page read the answer.
    foreign = web.post("/api/chat", json={"message": "hello"}, headers={"origin": STRANGER})
    assert "access-control-allow-origin" not in foreign.headers


def test_history_names_the_choice_a_user_clicked(web: TestClient) -> None:
    first = web.post("/api/chat", json={"message": "please delete my data"}).json()
    web.post("/api/chat", json={"session_id": first["session_id"], "message": "", "action": "everything"})
    turns = web.get(f"/api/chat/{first['session_id']}/history").json()["turns"]
    clicked = [t for t in turns if t["role"] == "user" and not t["text"]]
    assert [t["action"] for t in clicked] == ["everything"]
    assert all(t["action"] is None for t in turns if t["role"] == "bot")
