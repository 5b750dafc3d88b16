"""Issue 12 finding 8: a signed Slack request replayed within its five-minute window runs once.

Each test sends the very same signed body twice (same timestamp, same signature), as an attacker
who captured it would; messages were already deduplicated, now every other delivery is too.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlmodel import select

from bot.access.agents import create_agent
from bot.store.models import AuditEvent
from tests.handlers.slack.conftest import AGENT_CHANNEL, SlackApp
from tests.handlers.slack.test_slack_conversation import file_deletion
from tests.handlers.slack.test_slack_reliability import _wait_skipped

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _slack_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="handlers.slack")


def _twice(slack: SlackApp, body: str, content_type: str = FORM) -> None:
    signed_at = int(time.time())
    for _ in range(2):
        assert slack.platform.send(body, content_type, timestamp=signed_at).status_code == 200


def test_a_replayed_privacy_command_is_answered_once(slack: SlackApp, caplog: pytest.LogCaptureFixture) -> None:
    _twice(slack, slack.platform.command_body("U1", "CGENERAL", "how long do you keep my data?"))
    slack.fake.wait_for(lambda: slack.fake.calls_to("response_url"))
    _wait_skipped(caplog, 1)
    assert len(slack.fake.calls_to("response_url")) == 1


def test_a_replayed_help_command_shows_the_menu_once(slack: SlackApp) -> None:
    body = slack.platform.command_body("U1", "CGENERAL")
    signed_at = int(time.time())
    first = slack.platform.send(body, FORM, timestamp=signed_at)
    again = slack.platform.send(body, FORM, timestamp=signed_at)
    assert "blocks" in first.json()
    assert again.status_code == 200 and "blocks" not in ((again.text and again.json()) or {})


def test_a_replayed_assign_to_me_click_assigns_once(slack: SlackApp, caplog: pytest.LogCaptureFixture) -> None:
    reference, agent_post = file_deletion(slack, "U1")
    assert agent_post is not None
    with slack.services.db.write() as session:
        create_agent(
            session, email="uagent@example.com", password="a-long-password-1", role="agent", now=slack.services.clock()
        )
    _twice(slack, slack.platform.click_body("UAGENT", agent_post, reference))
    slack.fake.wait_for(lambda: [c for c in slack.fake.calls_to("chat.update") if c.body["channel"] == AGENT_CHANNEL])
    _wait_skipped(caplog, 1)
    assert len([c for c in slack.fake.calls_to("chat.update") if c.body["channel"] == AGENT_CHANNEL]) == 1
    with slack.services.db.read() as session:
        assigned = session.exec(select(AuditEvent).where(AuditEvent.action == "assign")).all()
    assert len(assigned) == 1


def test_a_replayed_home_button_starts_one_request(slack: SlackApp, caplog: pytest.LogCaptureFixture) -> None:
    _twice(slack, slack.platform.click_body("U9", None, "start:handoff", view=True, action_id="choice:start:handoff"))
    slack.fake.wait_posts(1, "DU9")
    _wait_skipped(caplog, 1)
    assert len(slack.fake.posts("DU9")) == 1


def test_a_replayed_app_home_event_publishes_once(slack: SlackApp, caplog: pytest.LogCaptureFixture) -> None:
    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    _twice(slack, slack.platform.event_body(event, event_id="EvHOME0001"), "application/json")
    slack.fake.wait_for(lambda: slack.fake.calls_to("views.publish"))
    _wait_skipped(caplog, 1)
    assert len(slack.fake.calls_to("views.publish")) == 1
    assert "Privacy helpdesk" in json.dumps(slack.fake.calls_to("views.publish")[0].body["view"])
