"""Per-client limits on chat turns and code sending: 429 JSON with Retry-After; shared via Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import create_app
from bot.access.ratelimit import RateLimiter
from tests.factories import ChatDriver

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def _client(make_services: Any, make_settings: Any, **overrides: Any) -> TestClient:
    services = make_services(make_settings(**overrides))
    client = TestClient(create_app(services.settings, services=services))
    client.services = services  # type: ignore[attr-defined]
    return client


def test_chat_turns_over_the_limit_get_429_with_retry_after(make_services: Any, make_settings: Any) -> None:
    with _client(make_services, make_settings, RATE_LIMIT="3/minute") as client:
        for _ in range(3):
            assert client.post("/api/chat", json={"message": "hi"}).status_code == 200
        response = client.post("/api/chat", json={"message": "hi"})
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_code_sending_is_limited_per_client(make_services: Any, make_settings: Any) -> None:
    with _client(make_services, make_settings, CODE_SEND_LIMIT="1/15minutes") as client:
        first, second = ChatDriver(client), ChatDriver(client)
        for chat, email in ((first, "one@example.com"), (second, "two@example.com")):
            chat.say("delete my data")
            chat.click("everything")
            chat.say("Sam Sender")
            chat.say("skip")
            chat.say(email)
        assert first.expecting == "code"
        assert second.expecting == "email" and "several codes" in second.last["reply"]


@pytest.fixture
def redis_url() -> Iterator[str]:
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL must be set in CI")
        pytest.skip("TEST_REDIS_URL is not set")
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def test_limits_are_shared_between_processes_through_redis(
    make_services: Any, make_settings: Any, redis_url: str
) -> None:
    with (
        _client(make_services, make_settings, RATE_LIMIT="3/minute", REDIS_URL=redis_url) as a,
        _client(make_services, make_settings, RATE_LIMIT="3/minute", REDIS_URL=redis_url) as b,
    ):
        assert a.post("/api/chat", json={"message": "hi"}).status_code == 200
        assert a.post("/api/chat", json={"message": "hi"}).status_code == 200
        assert b.post("/api/chat", json={"message": "hi"}).status_code == 200
        assert b.post("/api/chat", json={"message": "hi"}).status_code == 429


def test_an_unreachable_redis_fails_open() -> None:
    limiter = RateLimiter("redis://127.0.0.1:1/0")
    for _ in range(5):
        limiter.check("1/minute", "chat", "client")  # no exception: availability over strictness
