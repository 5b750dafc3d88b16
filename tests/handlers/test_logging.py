"""Logs are structured, carry request ids, and never contain a requester's e-mail or name."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from bot.logs import JsonFormatter, configure_logging, mask
from tests.factories import ChatDriver


def test_mask_hides_every_address() -> None:
    assert mask("to jane.doe@acme.co.uk and x@y.io") == "to j***@acme.co.uk and x***@y.io"


def test_a_whole_request_flow_leaves_no_personal_data_in_the_logs(client: Any) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", fmt="json", stream=stream)
    try:
        chat = ChatDriver(client)
        chat.say("please delete my data")
        chat.click("everything")
        chat.say("Zelda Quirinus")
        chat.say("Quirinus Holdings")
        chat.say("zelda.quirinus@example.com")
        client.services.outbox.drain_once()
        response = client.post(
            "/api/chat",
            json={"session_id": chat.session_id, "message": "not-a-code"},
            headers={"X-Request-ID": "test-request-0001"},
        )
        assert response.headers["x-request-id"] == "test-request-0001"
        logging.getLogger("helpdesk.test").warning("failure for %s", "zelda.quirinus@example.com")
    finally:
        configure_logging("WARNING", fmt="json")
    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    assert "zelda.quirinus@example.com" not in output and "Zelda" not in output and "Quirinus" not in output
    assert any(line.get("request_id") == "test-request-0001" for line in lines)
    access = [line for line in lines if line["logger"] == "helpdesk.access"]
    assert access and all(line["request_id"] != "-" and "duration_ms" in line for line in access)


def test_personal_fields_passed_as_extra_are_redacted() -> None:
    record = logging.makeLogRecord(
        {"msg": "ticket filed", "email": "a@b.com", "requester_name": "Ann", "reference": "PRV-1"}
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["email"] == "[redacted]" and entry["requester_name"] == "[redacted]" and entry["reference"] == "PRV-1"
