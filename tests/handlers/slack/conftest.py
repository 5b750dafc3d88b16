"""Slack fixtures: the fake Web API on loopback, the app live on a real port, signed requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.handlers.slack.fake_slack import FakeSlack, SlackPlatform
from tests.live import LiveServer

SIGNING_SECRET = "test-signing-secret-0123456789"
AGENT_CHANNEL = "CAGENTS"
PUBLIC_URL = "https://helpdesk.example.com"


@dataclass
class SlackApp:
    """A running app with Slack on: where it listens, its services, the fake and the platform."""

    server: LiveServer
    services: Any
    fake: FakeSlack
    platform: SlackPlatform

    def count(self, model: Any) -> int:
        from sqlmodel import func, select

        with self.services.db.read() as session:
            return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack_settings(make_settings: Callable[..., Any], fake_slack: FakeSlack) -> Callable[..., Any]:
    """Settings with Slack on, pointed at the fake Web API."""

    def build(**overrides: Any) -> Any:
        values: dict[str, Any] = {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.url,
            "SLACK_AGENT_CHANNEL": AGENT_CHANNEL,
            "PUBLIC_URL": PUBLIC_URL,
        }
        values.update(overrides)
        return make_settings(**values)

    return build


@pytest.fixture
def start_slack(
    make_services: Callable[..., Any], slack_settings: Callable[..., Any], fake_slack: FakeSlack, outbox: Any
) -> Iterator[Callable[..., SlackApp]]:
    """Start the app with Slack on (the `live` pattern of tests/browser): e-mail recorded, Slack real."""
    from app import create_app
    from handlers.slack.sender import SlackSender

    servers: list[LiveServer] = []

    def start(**overrides: Any) -> SlackApp:
        settings = slack_settings(**overrides)
        services = make_services(settings, senders={"email": outbox, "slack": SlackSender.from_settings(settings)})
        server = LiveServer(create_app(settings, services=services)).start()
        servers.append(server)
        return SlackApp(server, services, fake_slack, SlackPlatform(server.url, SIGNING_SECRET, fake_slack))

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def slack(start_slack: Callable[..., SlackApp]) -> SlackApp:
    """The app with Slack on, on SQLite."""
    return start_slack()


@pytest.fixture
def slack_db(start_slack: Callable[..., SlackApp], database_url: str) -> SlackApp:
    """The app with Slack on, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    return start_slack(DATABASE_URL=database_url)
