"""Teaching reaches every process: a group taught in the console of one process changes the answers
of a second `privacy-bot serve` process sharing the database, without restarting it; undoing it
restores the decline there too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.handlers.console.conftest import ADMIN, add_agent, csrf_of, sign_in
from tests.smtp import free_port

BIN = Path(sys.executable).parent
QUESTION = "Can I bring my dog to the KONE office?"


def _wait_for(what: Callable[[], bool], seconds: float, message: str) -> None:
    for _ in range(int(seconds * 10)):  # bounded
        try:
            if what():
                return
        except httpx.HTTPError:
            pass
        threading.Event().wait(0.1)
    raise AssertionError(message)


@pytest.mark.slow
def test_teaching_reaches_a_second_server_process_without_a_restart(
    make_services: Callable[..., Any], make_settings: Callable[..., Any], shared_dirs: dict[str, Path], tmp_path: Path
) -> None:
    from app import create_app

    database_url = f"sqlite:///{tmp_path}/shared.db"
    services = make_services(make_settings(DATABASE_URL=database_url))  # migrates; the index is built by now
    add_agent(services, *ADMIN, role="admin")
    chroma = tmp_path / "chroma"  # the second process has its own Chroma store, as a second host would
    shutil.copytree(shared_dirs["chroma"], chroma)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LLM_", "REDIS_", "SMTP_"))}
    env.update(
        DATABASE_URL=database_url,
        CHROMA_PATH=str(chroma),
        CACHE_DIR=str(shared_dirs["cache"]),
        SECRET_KEY="test-secret-key-0123456789",
        RATE_LIMIT="1000/minute",
        KNOWLEDGE_POLL_SECONDS="0.5",
        SCHEDULER_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(BIN / "privacy-bot"), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def ask() -> dict[str, Any]:
        response = httpx.post(f"{base}/api/chat", json={"session_id": None, "message": QUESTION}, timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def answered() -> bool:
        body = ask()
        return body["intent"] == "question" and [c["section"] for c in body["citations"]] == ["1"]

    try:
        _wait_for(lambda: httpx.get(f"{base}/healthz", timeout=1).status_code == 200, 120, "the server did not start")
        assert ask()["intent"] == "out_of_scope"  # declined there, and kept in the shared database

        with TestClient(create_app(services.settings, services=services), follow_redirects=False) as web:
            assert sign_in(web, *ADMIN).status_code == 303
            page = web.get("/console/knowledge")
            assert QUESTION in page.text
            ids = page.text.split('name="ids" value="', 1)[1].split('"', 1)[0]
            taught = web.post(
                "/console/knowledge/teach",
                data={"csrf_token": csrf_of(page.text), "ids": ids, "kind": "hint", "passage_id": "s1-p01"},
            )
            assert taught.status_code == 303
            _wait_for(answered, 30, "the second process never answered the taught question")
            assert process.poll() is None  # the same process, never restarted

            page = web.get("/console/knowledge")
            lesson = page.text.split('action="/console/knowledge/lessons/', 1)[1].split("/", 1)[0]
            undone = web.post(f"/console/knowledge/lessons/{lesson}/undo", data={"csrf_token": csrf_of(page.text)})
            assert undone.status_code == 303
            _wait_for(lambda: ask()["intent"] == "out_of_scope", 30, "undoing never reached the second process")
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(30)
