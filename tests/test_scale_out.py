"""Scale-out: two app processes, one PostgreSQL, one Chroma server; a request flow whose turns
alternate between the processes files exactly one ticket."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.store.db import Database
from bot.store.models import Ticket
from tests.smtp import free_port

BIN = Path(sys.executable).parent


def _wait_for(url: str, attempts: int = 600) -> None:
    for _ in range(attempts):  # bounded: 60 s at most
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        threading.Event().wait(0.1)
    raise AssertionError(f"{url} did not become ready")


@pytest.fixture
def chroma_server() -> Iterator[str]:
    port, path = free_port(), tempfile.mkdtemp(prefix="chroma-server-")
    process = subprocess.Popen(
        [str(BIN / "chroma"), "run", "--path", path, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/v2/heartbeat")
        yield url
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
def test_a_flow_alternating_between_two_processes(
    postgres_url: str, chroma_server: str, smtp_server: Any, shared_dirs: dict[str, Path], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LLM_", "REDIS_"))}
    env.update(
        DATABASE_URL=postgres_url,
        CHROMA_URL=chroma_server,
        **smtp_server.settings,
        CACHE_DIR=str(shared_dirs["cache"]),
        SECRET_KEY="scale-out-secret-0123456789",
        LOG_LEVEL="WARNING",
    )
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [str(BIN / "privacy-bot"), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _wait_for(f"{base}/healthz")
        session_id = None
        turns = [
            ("please delete my data", None),
            ("", "everything"),
            ("Uma Scale", None),
            ("skip", None),
            ("uma@example.com", None),
            ("CODE", None),
            ("yes", None),
        ]
        served_by = []
        body: dict[str, Any] = {}
        for i, (message, action) in enumerate(turns):
            base = bases[i % 2]
            if message == "CODE":
                message = smtp_server.inbox.code_for("uma@example.com")
            response = httpx.post(
                f"{base}/api/chat", json={"session_id": session_id, "message": message, "action": action}, timeout=30
            )
            assert response.status_code == 200, response.text
            body = response.json()
            session_id = body["session_id"]
            served_by.append(base)
        assert set(served_by) == set(bases)
        reference = body["ticket"]["reference"]
        assert smtp_server.inbox.wait_for("uma@example.com", subject_contains=reference)
        db = Database(postgres_url)
        with db.read() as session:
            tickets = session.exec(select(Ticket)).all()
        db.dispose()
        assert [t.reference for t in tickets] == [reference]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
