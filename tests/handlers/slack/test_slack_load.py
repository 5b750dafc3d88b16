"""Load (issue 7, item 4): 200 Slack events, each delivered 4 times, concurrently, across two app
processes sharing one PostgreSQL schema → each handled exactly once."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import SCRUBBED_PREFIXES
from tests.handlers.slack.conftest import SIGNING_SECRET
from tests.handlers.slack.fake_slack import FakeSlack, SlackPlatform, wait_until
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[3]
EVENTS = 200
DELIVERIES = 4
QUESTIONS = ["How long do you keep my data?", "what cookies do you use?", "hello", "who is responsible for my data?"]
SKIPPED = "slack delivery already handled"

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class AppProcess:
    """`uvicorn app:create_app` in its own process, logging to a file."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self._log_handle = open(self.log, "w")  # noqa: SIM115 - the child writes to it until stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=workdir,
            env=env,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"app process exited early:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def skipped(self) -> int:
        return self.log.read_text().count(SKIPPED)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log_handle.close()


@pytest.fixture
def two_apps(
    postgres_url: str, understanding: Any, shared_dirs: dict[str, Path], tmp_path: Path, fake_slack: FakeSlack
) -> Iterator[list[AppProcess]]:
    """Two app processes with Slack on, one PostgreSQL schema, each its own copy of the index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "DATABASE_URL": postgres_url,
            "CACHE_DIR": str(shared_dirs["cache"]),
            "SECRET_KEY": "load-test-secret-key-0123",
            "SLACK_BOT_TOKEN": "xoxb-load",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.url,
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
            "RATE_LIMIT": "100000/minute",
        }
    )
    apps = []
    for name in ("app-a", "app-b"):
        chroma = tmp_path / f"chroma-{name}"
        shutil.copytree(shared_dirs["chroma"], chroma)  # two processes never share one local Chroma store
        apps.append(AppProcess({**env, "CHROMA_PATH": str(chroma)}, tmp_path, name))
    try:
        wait_until(lambda: all(app.ready() for app in apps), timeout=150, what="both app processes to be ready")
        yield apps
    finally:
        for app in apps:
            app.stop()


def test_events_delivered_four_times_across_two_processes_are_handled_once(
    two_apps: list[AppProcess], fake_slack: FakeSlack, postgres_url: str
) -> None:
    platforms = [SlackPlatform(app.url, SIGNING_SECRET, fake_slack) for app in two_apps]
    bodies = []
    for n in range(EVENTS):
        event = platforms[0].dm_event(f"U{n:04d}", QUESTIONS[n % len(QUESTIONS)], ts=f"1800000000.{n:06d}")
        bodies.append(platforms[0].event_body(event, event_id=f"Ev{n:08d}"))
    # Every event goes to both processes; the original and its retries arrive in a shuffled storm.
    deliveries = [
        (body, attempt, platforms[(n + attempt) % 2]) for n, body in enumerate(bodies) for attempt in range(DELIVERIES)
    ]
    random.Random(4).shuffle(deliveries)

    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=32)) as client:

        def deliver(delivery: tuple[str, int, SlackPlatform]) -> int:
            body, attempt, platform = delivery
            return platform.send(body, "application/json", retry_num=attempt or None, client=client).status_code

        with ThreadPoolExecutor(24) as pool:
            statuses = Counter(pool.map(deliver, deliveries))
    assert statuses == {200: EVENTS * DELIVERIES}

    # Done when every event has its reply and every duplicate has been seen and dropped.
    fake_slack.wait_posts(EVENTS, timeout=100)
    wait_until(
        lambda: sum(app.skipped() for app in two_apps) >= EVENTS * (DELIVERIES - 1),
        timeout=60,
        what="every duplicate delivery to be dropped",
    )

    replies = Counter(call.body["channel"] for call in fake_slack.posts())
    assert len(replies) == EVENTS and set(replies.values()) == {1}
    assert sum(app.skipped() for app in two_apps) == EVENTS * (DELIVERIES - 1)
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM processed_event")).scalar() == EVENTS
            assert conn.execute(text("SELECT count(*) FROM turn WHERE role = 'user'")).scalar() == EVENTS
    finally:
        engine.dispose()
    # Both processes did part of the work.
    assert all(app.skipped() > 0 for app in two_apps)
