"""Operations endpoints: /metrics after a scripted conversation, /livez apart from /healthz."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from bot.store.outbox import enqueue
from tests.factories import ChatDriver, RecordingSender


def scrape(client: Any, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics as {(sample name, sorted labels): value}."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def file_a_deletion(chat: ChatDriver, services: Any, email: str) -> dict[str, Any]:
    chat.say("please delete my data")
    chat.click("everything")
    chat.say("Mia Metrics")
    chat.say("skip")
    chat.say(email)
    services.outbox.drain_once()
    chat.say(services.outbox.senders["email"].last_code(email))
    return chat.say("yes")


def test_a_scrape_after_a_conversation_counts_what_happened(make_services: Any) -> None:
    services = make_services()
    client = TestClient(create_app(services.settings, services=services))  # no lifespan: the test drains the outbox
    chat = ChatDriver(client)
    assert chat.say("How long do you keep my data?")["intent"] == "question"
    assert chat.say("what's the weather in Helsinki?")["intent"] == "out_of_scope"
    ticket = file_a_deletion(chat, services, "mia.metrics@example.com")["ticket"]
    client.get(f"/api/chat/{chat.session_id}/history")
    client.get("/no/such/page?email=mia.metrics@example.com")

    samples = scrape(client)
    assert value(samples, "helpdesk_chat_turns_total", channel="web", intent="question") == 1
    assert value(samples, "helpdesk_chat_turns_total", channel="web", intent="out_of_scope") == 1
    assert value(samples, "helpdesk_chat_turns_total", channel="web", intent="deletion") >= 5
    assert value(samples, "helpdesk_answers_total", outcome="answered") == 1
    assert value(samples, "helpdesk_answers_total", outcome="declined") == 1
    assert ("helpdesk_answers_total", (("outcome", "does_not_say"),)) in samples  # exported before first use
    turns = sum(v for (name, _), v in samples.items() if name == "helpdesk_chat_turns_total")
    assert value(samples, "helpdesk_http_requests_total", method="POST", route="/api/chat", status="200") == turns
    history = {"method": "GET", "route": "/api/chat/{session_id}/history", "status": "200"}
    assert value(samples, "helpdesk_http_requests_total", **history) == 1
    assert value(samples, "helpdesk_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert value(samples, "helpdesk_model_call_duration_seconds_count", model="embedding", call="query") >= 2
    # The code went out; the receipt waits in the outbox (the worker was not asked to drain again).
    assert value(samples, "helpdesk_outbox_deliveries_total", channel="email", result="sent") == 1
    assert value(samples, "helpdesk_outbox_pending", channel="email") == 1
    assert value(samples, "helpdesk_database_up") == 1
    assert value(samples, "helpdesk_tickets_open", status="open") == 1
    assert value(samples, "helpdesk_tickets_open", status="in_progress") == 0
    assert value(samples, "helpdesk_tickets_overdue") == 0

    services.clock.advance(days=40)  # past the one-month due date
    later = scrape(client)
    assert value(later, "helpdesk_tickets_overdue") == 1
    assert value(later, "helpdesk_outbox_oldest_pending_age_seconds") >= timedelta(days=40).total_seconds()

    # No personal data and no raw paths in any label.
    text = client.get("/metrics").text
    for private in ("mia", "Metrics", "example.com", chat.session_id, ticket["reference"], "/no/such/page"):
        assert private not in text


def test_slack_delivery_retries_are_counted(make_services: Any) -> None:
    slack = RecordingSender()
    slack.failing = True
    services = make_services(senders={"email": RecordingSender(), "slack": slack})
    with services.db.write() as session:
        enqueue(session, channel="slack", kind="receipt", recipient="U123", body="hi", now=services.clock())
    assert services.outbox.drain_once() == 1
    client = TestClient(create_app(services.settings, services=services))
    samples = scrape(client)
    assert value(samples, "helpdesk_outbox_deliveries_total", channel="slack", result="retry") == 1
    assert value(samples, "helpdesk_outbox_pending", channel="slack") == 1


def test_metrics_can_be_protected_by_a_token(make_services: Any, make_settings: Any) -> None:
    services = make_services(make_settings(METRICS_TOKEN="scrape-secret-0123456789"))
    client = TestClient(create_app(services.settings, services=services))
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    samples = scrape(client, Authorization="Bearer scrape-secret-0123456789")
    assert value(samples, "helpdesk_database_up") == 1


def test_metrics_can_be_switched_off(make_services: Any, make_settings: Any) -> None:
    services = make_services(make_settings(METRICS="off"))
    client = TestClient(create_app(services.settings, services=services))
    assert client.get("/metrics").status_code == 404
    assert client.post("/api/chat", json={"message": "hello"}).status_code == 200


@pytest.fixture
def database_down(make_services: Any, make_settings: Any) -> Iterator[Any]:
    """An app whose PostgreSQL refuses connections (nothing listens on port 1)."""
    services = make_services(make_settings(DATABASE_URL="postgresql+psycopg://helpdesk@127.0.0.1:1/helpdesk"))
    with TestClient(create_app(services.settings, services=services)) as client:
        yield client


def test_livez_stays_up_while_healthz_reports_the_database(database_down: Any) -> None:
    assert database_down.get("/livez").json() == {"status": "ok"}
    health = database_down.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": False, "index": True, "outbox": False}
    samples = scrape(database_down)
    assert value(samples, "helpdesk_database_up") == 0


def test_healthz_is_503_while_due_mail_waits_and_nothing_is_delivered(make_services: Any) -> None:
    services = make_services()
    client = TestClient(create_app(services.settings, services=services))  # no lifespan: no outbox worker runs
    with services.db.write() as session:
        enqueue(session, channel="email", kind="receipt", recipient="a@example.com", body="x", now=services.clock())
    assert client.get("/healthz").status_code == 200  # due, but not for long
    services.clock.advance(minutes=services.settings.OUTBOX_STUCK_MINUTES + 1)
    stuck = client.get("/healthz")
    assert stuck.status_code == 503 and stuck.json()["outbox"] is False and stuck.json()["database"] is True
    services.outbox.drain_once()  # delivered: nothing is due any more
    assert client.get("/healthz").json() == {"status": "ok", "database": True, "index": True, "outbox": True}


def test_the_operations_endpoints_are_documented(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/livez", "/healthz", "/metrics"):
        assert paths[path]["get"]["description"], path
    assert "503" in paths["/healthz"]["get"]["responses"]


def test_workers_metrics_are_summed_across_processes(tmp_path: Any) -> None:
    """`serve --workers N`: each worker writes to PROMETHEUS_MULTIPROC_DIR; any one of them reports the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = (
        "from handlers.ops.metrics import Metrics; m = Metrics(); assert m.multiprocess; "
        "m.recorder.turn(channel='web', intent='question'); m.recorder.answer(outcome='answered')"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, check=True, timeout=120)
    report = "from handlers.ops.metrics import Metrics; import sys; sys.stdout.write(Metrics().exposition().decode())"
    text = subprocess.run(
        [sys.executable, "-c", report], env=env, check=True, timeout=120, capture_output=True, text=True
    ).stdout
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert value(samples, "helpdesk_chat_turns_total", channel="web", intent="question") == 2
    assert value(samples, "helpdesk_answers_total", outcome="answered") == 2
