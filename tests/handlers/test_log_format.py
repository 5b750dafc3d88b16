"""Logs for the reader at hand: readable lines in a terminal, JSON elsewhere (LOG_FORMAT wins),
one access line per request under the real server, and no library progress bars."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.logs import JsonFormatter, TextFormatter, configure_logging

BIN = Path(sys.executable).parent / "privacy-bot"


def test_auto_picks_text_for_a_terminal_and_json_otherwise() -> None:
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w")
    try:
        assert isinstance(configure_logging("INFO", fmt="auto", stream=terminal).formatter, TextFormatter)
        assert isinstance(configure_logging("INFO", fmt="auto", stream=io.StringIO()).formatter, JsonFormatter)
        assert isinstance(configure_logging("INFO", fmt="json", stream=terminal).formatter, JsonFormatter)
    finally:
        configure_logging("WARNING", fmt="json")
        terminal.close()
        os.close(master)


def test_uvicorns_own_access_log_reaches_no_handler() -> None:
    configure_logging("INFO", fmt="json", stream=io.StringIO())
    try:
        # uvicorn writes an access line (with the client's address) whenever this is True.
        assert logging.getLogger("uvicorn.access").hasHandlers() is False
        assert logging.getLogger("uvicorn.error").hasHandlers() is True
    finally:
        configure_logging("WARNING", fmt="json")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except OSError:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["", "json"])
def test_the_server_in_a_terminal(
    log_format: str, tmp_path: Path, shared_dirs: dict[str, Path], knowledge: Any
) -> None:
    """`make run`: the server's output goes to a terminal. Unset LOG_FORMAT gives text; json stays json."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "DATABASE_URL", "CHROMA_", "LLM_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
        CHROMA_PATH=str(shared_dirs["chroma"]),  # the session's index: no ingest here
        CACHE_DIR=str(shared_dirs["cache"]),
        LOG_LEVEL="INFO",
    )
    if log_format:
        env["LOG_FORMAT"] = log_format
    port = _free_port()
    master, slave = pty.openpty()
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed with the server
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while server.poll() is None and time.monotonic() < deadline and _get(f"{base}/healthz") != 200:
            time.sleep(0.5)
        assert _get(f"{base}/livez?who=someone@example.com") == 200
        assert _get(f"{base}/livez") == 200
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=10)
        os.close(master)
    output = b"".join(chunks).decode("utf-8", "replace")
    access = [line for line in output.splitlines() if "/livez" in line and "helpdesk.access" in line]
    assert len(access) == 2, output[-3000:]  # one line per request, never uvicorn's as well
    assert not [line for line in output.splitlines() if "uvicorn.access" in line]
    if log_format == "json":
        assert all(json.loads(line)["msg"] == "GET /livez 200" for line in access)
    else:
        assert all(not line.lstrip().startswith("{") and "INFO helpdesk.access" in line for line in access)
    assert "someone@example.com" not in output and all("127.0.0.1" not in line for line in access)
    assert "Loading weights" not in output and "%|" not in output  # no library progress bars
