"""Slack deliveries handled once, signatures enforced, rate limits waited out, Slack off cleanly."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.store.models import OutboxMessage, ProcessedEvent, Turn
from bot.store.outbox import PermanentFailure
from tests.handlers.slack.conftest import SlackApp
from tests.handlers.slack.fake_slack import FakeSlack

SKIPPED = "slack delivery already handled; skipped"


def _skipped(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for r in caplog.records if r.getMessage() == SKIPPED)


def _wait_skipped(caplog: pytest.LogCaptureFixture, count: int, timeout: float = 30.0) -> None:
    """Every duplicate delivery has been looked at (and dropped): nothing more can be posted."""
    deadline = time.monotonic() + timeout
    while _skipped(caplog) < count:
        assert time.monotonic() < deadline, f"only {_skipped(caplog)} of {count} duplicates were seen"
        time.sleep(0.05)


def test_an_event_delivered_four_times_is_handled_once(slack_db: SlackApp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="handlers.slack")
    slack = slack_db
    body = slack.platform.event_body(
        slack.platform.dm_event("U1", "How long do you keep my data?"), event_id="Ev0000RETRY"
    )
    with ThreadPoolExecutor(4) as pool:  # the original and three retries, all at once
        responses = list(
            pool.map(lambda n: slack.platform.send(body, "application/json", retry_num=n), [None, 1, 2, 3])
        )
    assert [r.status_code for r in responses] == [200] * 4
    slack.fake.wait_posts(1, "DU1")
    _wait_skipped(caplog, 3)
    assert len(slack.fake.posts("DU1")) == 1
    assert slack.count(ProcessedEvent) == 1
    assert slack.count(Turn) == 2  # one user turn, one bot turn


def test_one_message_as_both_message_and_app_mention_is_handled_once(
    slack: SlackApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.slack")
    event = slack.platform.dm_event("U1", "<@UBOT> what cookies do you use?")
    mention = {**event, "type": "app_mention"}
    mention.pop("channel_type")
    assert slack.platform.event(event).status_code == 200
    assert slack.platform.event(mention).status_code == 200
    slack.fake.wait_posts(1, "DU1")
    _wait_skipped(caplog, 1)
    assert len(slack.fake.posts()) == 1


@pytest.mark.parametrize("forgery", ["bad signature", "stale timestamp"])
def test_unsigned_or_stale_requests_are_refused_without_side_effects(slack: SlackApp, forgery: str) -> None:
    body = slack.platform.event_body(slack.platform.dm_event("U1", "How long do you keep my data?"))
    if forgery == "bad signature":
        response = slack.platform.send(body, "application/json", signature="v0=" + "0" * 64)
    else:  # correctly signed, but six minutes old: a replay
        response = slack.platform.send(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    assert response.status_code == 401
    # A request that was accepted afterwards is handled: so the refusal above was not just slowness.
    assert slack.platform.dm("U2", "hello").status_code == 200
    slack.fake.wait_posts(1, "DU2")
    assert slack.fake.posts("DU1") == [] and not [c for c in slack.fake.calls if c.body.get("user") == "U1"]
    assert slack.count(ProcessedEvent) == 1 and slack.count(Turn) == 2


def test_a_rate_limited_reply_is_delivered_once_after_retry_after(slack: SlackApp) -> None:
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    slack.platform.dm("U1", "How long do you keep my data?")
    slack.fake.wait_posts(1, "DU1")
    attempts = slack.fake.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert len(slack.fake.posts("DU1")) == 1


def test_the_sender_tells_permanent_from_passing_failures(fake_slack: FakeSlack, make_settings: Any) -> None:
    from handlers.slack.sender import SlackSender

    sender = SlackSender.from_settings(make_settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake_slack.url))
    fake_slack.user("UGONE", exists=False)
    receipt = OutboxMessage(
        channel="slack", kind="receipt", recipient="UGONE", subject="Your privacy request", body="Hi"
    )
    with pytest.raises(PermanentFailure):
        sender.send(receipt)
    fake_slack.fail("chat.postMessage", "internal_error")
    with pytest.raises(SlackApiError):  # left in the outbox for a retry
        sender.send(OutboxMessage(channel="slack", kind="receipt", recipient="U1", subject="s", body="b"))
    sender.send(
        OutboxMessage(channel="slack", kind="receipt", recipient="U1", subject="Your <b>request</b>", body="a & b")
    )
    post = fake_slack.posts("DU1")[-1]
    assert post.body["text"] == "*Your &lt;b&gt;request&lt;/b&gt;*\n\na &amp; b"


def test_slack_is_off_cleanly_without_its_tokens(
    client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response = client.post("/slack/events", json={"type": "url_verification", "challenge": "x"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert "slack" not in client.services.extras
    from app import main

    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    assert main(["slack"]) == 2
    assert "Slack is not configured" in capsys.readouterr().err


def test_socket_mode_uses_the_same_listeners(start_slack: Any, make_services: Any, slack_settings: Any) -> None:
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app
    from slack_sdk.socket_mode.request import SocketModeRequest

    from handlers.slack.cli import build_socket_mode_handler

    slack = start_slack()
    services = make_services(slack_settings(SLACK_APP_TOKEN="xapp-test-token", SLACK_SIGNING_SECRET=None))
    handler = build_socket_mode_handler(services)  # constructed, never connected
    assert not handler.client.is_connected()
    assert handler.client.web_client.base_url == slack.fake.url

    def shape(app: Any) -> list[tuple[str, list[str]]]:
        return [
            (listener.ack_function.__name__, [f.__name__ for f in listener.lazy_functions])
            for listener in app._listeners
        ]

    http_app = slack.services.extras["slack"]
    assert shape(handler.app) == shape(http_app) and len(shape(http_app)) == 8  # with the feedback buttons
    # And a Socket Mode envelope goes through them: a DM answered.
    envelope = {
        "type": "events_api",
        "envelope_id": "env-1",
        "accepts_response_payload": False,
        "payload": json.loads(slack.platform.event_body(slack.platform.dm_event("U7", "hello"))),
    }
    response = run_bolt_app(handler.app, SocketModeRequest.from_dict(envelope))
    assert response.status == 200
    assert "privacy assistant" in slack.fake.wait_posts(1, "DU7")[0].body["text"]


def test_privacy_bot_slack_says_when_the_bot_token_is_refused(
    fake_slack: FakeSlack,
    understanding: Any,
    shared_dirs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    from app import main

    shutil.copytree(shared_dirs["chroma"], tmp_path / "chroma")
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-revoked",
        "SLACK_APP_TOKEN": "xapp-test",
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
        "CHROMA_PATH": str(tmp_path / "chroma"),
        "CACHE_DIR": str(shared_dirs["cache"]),
        "SECRET_KEY": "test-secret-key-0123456789",
    }.items():
        monkeypatch.setenv(name, value)
    fake_slack.fail("auth.test", "invalid_auth")
    assert main(["slack"]) == 2
    assert "could not verify SLACK_BOT_TOKEN with Slack (invalid_auth)" in capsys.readouterr().err
    assert [c.api for c in fake_slack.calls] == ["auth.test"]  # no Socket Mode connection was attempted
