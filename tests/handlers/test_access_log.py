"""Issue 12 finding 4: a full run of `privacy-bot serve` logs no e-mail, name, search term or session id.

The old leak came through uvicorn's own access logger, which re-enabled itself in the server's
workers whatever `access_log=False` said, so this runs the real command in a subprocess and reads
everything it wrote.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.smtp import free_port

BIN = Path(sys.executable).parent / "privacy-bot"
EMAIL = "alice.quendrith@example.com"
NAME = "Alice Quendrith"
COMPANY = "Zyxwv Holdings"
AGENT = ("log.agent@example.com", "log-agent-password-1")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.mark.slow
def test_a_full_session_leaves_no_personal_data_search_term_or_session_id_in_the_log(
    tmp_path: Path, shared_dirs: dict[str, Path], knowledge: Any
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SMTP_", "LLM_", "REDIS_", "CHROMA_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
        CHROMA_PATH=str(shared_dirs["chroma"]),
        CACHE_DIR=str(shared_dirs["cache"]),
        HF_HUB_OFFLINE="1",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        SECRET_KEY="access-log-test-secret-0123456789",
    )
    run = {"cwd": tmp_path, "env": env, "text": True, "capture_output": True, "timeout": 240}
    assert subprocess.run([str(BIN), "migrate"], **run).returncode == 0  # type: ignore[call-overload]
    added = subprocess.run(  # type: ignore[call-overload]
        [str(BIN), "agent", "add", AGENT[0], "--role", "admin"], input=AGENT[1] + "\n", **run
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(
            [str(BIN), "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            session_id = _scripted_session(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    output = log_path.read_text(encoding="utf-8")
    for secret in (EMAIL, "alice.quendrith%40example.com", "quendrith", "Zyxwv", session_id, "q=", "%40"):
        assert secret.lower() not in output.lower(), f"{secret!r} reached the log"

    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "helpdesk.access"]
    routes = {line["route"] for line in access}
    assert {"/api/chat", "/api/chat/{session_id}/history", "/console/tickets", "/api/agent/tickets"} <= routes
    assert all(line["request_id"] != "-" and isinstance(line["duration_ms"], float) for line in access)
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]


def _scripted_session(base: str) -> str:
    """Chat with an e-mail and a name in it, read the history, search the console; the chat's session id."""
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as web:
        deadline = time.monotonic() + 180
        while True:
            try:
                if web.get("/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.5)

        def say(session_id: str | None, message: str = "", action: str | None = None) -> dict[str, Any]:
            response = web.post("/api/chat", json={"session_id": session_id, "message": message, "action": action})
            assert response.status_code == 200, response.text
            return response.json()

        sid = say(None, f"please delete my data, I am {NAME} and my e-mail is {EMAIL}")["session_id"]
        say(sid, action="everything")
        say(sid, NAME)
        say(sid, COMPANY)
        say(sid, EMAIL)
        assert web.get(f"/api/chat/{sid}/history").status_code == 200
        assert web.get(f"/api/chat/{sid}/history?email={EMAIL}").status_code == 200

        login_page = web.get("/console/login")
        token = _CSRF.search(login_page.text)
        assert token, login_page.text
        signed_in = web.post(
            "/console/login", data={"email": AGENT[0], "password": AGENT[1], "csrf_token": token.group(1), "next": ""}
        )
        assert signed_in.status_code == 303, signed_in.text
        assert web.get("/console/tickets", params={"q": EMAIL}).status_code == 200
        assert web.get("/console/tickets", params={"q": NAME}).status_code == 200
        assert web.get("/api/agent/tickets", params={"q": EMAIL}).status_code == 401  # no token: still logged
        assert web.get(f"/no/such/page/{EMAIL}").status_code == 404
        return sid
