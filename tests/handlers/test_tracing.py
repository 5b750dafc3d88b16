"""OTEL_ENABLED traces HTTP and SQL, and no e-mail address, query string or client address leaves."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app import create_app
from handlers.ops.tracing import scrub_attributes, scrub_text
from tests.factories import ChatDriver

EMAIL = "ottilie.trace@example.com"


def _everything(span: Any) -> str:
    """Every string a span carries: name, attributes, events, status."""
    parts = [span.name, repr(dict(span.attributes or {})), span.status.description or ""]
    for event in span.events:
        parts += [event.name, repr(dict(event.attributes or {}))]
    return "\n".join(parts)


def test_spans_cover_requests_and_queries_without_personal_data(make_services: Any, make_settings: Any) -> None:
    exporter = InMemorySpanExporter()
    services = make_services(make_settings(OTEL_ENABLED=True))
    with TestClient(create_app(services.settings, services=services, span_exporter=exporter)) as client:
        chat = ChatDriver(client)
        chat.say("please delete my data")
        chat.click("everything")
        chat.say("Ottilie Trace")
        chat.say("skip")
        chat.say(EMAIL)  # written to the database: SQL parameters must not reach a span
        client.get(f"/console/login?next=/console&email={EMAIL}")  # a query string with an address
        client.get(f"/api/agent/tickets?q={EMAIL}")  # refused (no token), after the URL was seen
        client.get("/livez")  # probes are not traced
    spans = exporter.get_finished_spans()
    http = [s for s in spans if (s.attributes or {}).get("http.route")]
    sql = [s for s in spans if (s.attributes or {}).get("db.system") or (s.attributes or {}).get("db.system.name")]
    assert {s.attributes["http.route"] for s in http} >= {"/api/chat", "/console/login", "/api/agent/tickets"}
    assert sql and any(
        "INSERT" in (s.attributes.get("db.statement") or s.attributes.get("db.query.text") or "") for s in sql
    )
    assert not [s for s in http if s.attributes["http.route"] == "/livez"]
    carried = "\n".join(_everything(s) for s in spans)
    assert EMAIL not in carried and "ottilie" not in carried.lower() and "example.com" not in carried
    assert "%40" not in carried and "127.0.0.1" not in carried and "testclient" not in carried
    assert all("?" not in str(s.attributes.get("http.target", "")) for s in http)


def test_nothing_is_traced_unless_enabled(client: Any) -> None:
    assert client.app.state.services.settings.OTEL_ENABLED is False
    assert not any("OpenTelemetry" in type(m.cls).__name__ + str(m.cls) for m in client.app.user_middleware)


def test_scrubbing_rules() -> None:
    assert scrub_text("lookup jörg@müller.de and a%40b.example") == "lookup [email] and [email]"
    clean = scrub_attributes(
        {
            "url.full": "http://x/console?q=a@b.com",
            "url.query": "q=a@b.com",
            "client.address": "10.1.2.3",
            "user_agent.original": "Mozilla",
            "http.route": "/console",
            "db.statement": "SELECT * FROM agent WHERE email = 'a@b.com' AND id = ?",
            "exception.message": "no agent a@b.com",
            "tags": ["x@y.org", "fine"],
        }
    )
    assert clean == {
        "http.route": "/console",
        "db.statement": "SELECT * FROM agent WHERE email = ? AND id = ?",
        "exception.message": "no agent [email]",
        "tags": ("[email]", "fine"),
    }
