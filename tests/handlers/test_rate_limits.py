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


def _ask_code(client: TestClient, email: str) -> ChatDriver:
    chat = ChatDriver(client)
    chat.say("delete my data")
    chat.click("everything")
    chat.say("Sam Sender")
    chat.say("skip")
    chat.say(email)
    return chat


def _codes_to(services: Any, email: str) -> int:
    from sqlmodel import func, select

    from bot.store.models import OutboxMessage

    with services.db.read() as session:
        query = select(func.count()).where(OutboxMessage.recipient == email, OutboxMessage.kind == "verification_code")
        return int(session.exec(query).one())


def test_code_requests_from_rotating_clients_never_lock_the_owner_out(make_services: Any, make_settings: Any) -> None:
    services = make_services(make_settings())
    app = create_app(services.settings, services=services)
    victim = "vera.victim@example.com"
    for n in range(4):  # four strangers, each from its own address: three used to lock Vera out
        _ask_code(TestClient(app, client=(f"203.0.113.{n + 1}", 40000)), victim)
    owner = _ask_code(TestClient(app, client=("198.51.100.7", 40000)), victim)
    assert owner.expecting == "code", owner.last["reply"]
    assert _codes_to(services, victim) == 5


def test_code_emails_to_one_address_are_capped_per_day(make_services: Any, make_settings: Any, clock: Any) -> None:
    services = make_services(make_settings())
    app = create_app(services.settings, services=services)
    victim = "flood.target@example.com"
    refused = []
    for n in range(15):  # a stranger rotating clients, patient enough to wait out every spacing
        chat = _ask_code(TestClient(app, client=(f"203.0.113.{n + 1}", 40000)), victim)
        if chat.expecting != "code":
            refused.append(chat.last["reply"])
        clock.advance(minutes=70)
    assert _codes_to(services, victim) == 10  # not hundreds: ten a day at most
    assert len(refused) == 5 and all("as many codes as we send in a day" in r for r in refused)


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
