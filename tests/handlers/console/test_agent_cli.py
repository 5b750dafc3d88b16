"""`privacy-bot agent add` and `agent token` as an operator runs them: real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.access.agents import authenticate
from bot.access.sessions import agent_for_token
from bot.store.db import Database
from bot.store.models import utcnow

BIN = Path(sys.executable).parent / "privacy-bot"


@pytest.fixture
def run(tmp_path: Path) -> Any:
    database = f"sqlite:///{tmp_path}/db.sqlite"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SMTP_", "LLM_", "DATABASE_URL", "CHROMA_"))
    }
    env.update(DATABASE_URL=database, CHROMA_PATH=str(tmp_path / "chroma"), CACHE_DIR=str(tmp_path / "cache"))

    def invoke(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            cwd=tmp_path,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
        )

    invoke.database = database  # type: ignore[attr-defined]
    return invoke


def test_agent_add_and_token(run: Any) -> None:
    added = run("agent", "add", "Root@Example.com", "--role", "admin", stdin="a-long-admin-password\n")
    assert added.returncode == 0, added.stderr
    assert "Added admin root@example.com" in added.stdout
    assert "a-long-admin-password" not in added.stdout + added.stderr

    duplicate = run("agent", "add", "root@example.com", "--role", "agent", stdin="another-password-1\n")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    short = run("agent", "add", "kid@example.com", stdin="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert run("agent", "add", "x@example.com", "--role", "owner", stdin="x" * 12).returncode == 2

    issued = run("agent", "token", "root@example.com")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("pbt_") and " " not in token
    assert run("agent", "token", "ghost@example.com").returncode == 1

    db = Database(run.database)
    with db.write() as session:
        admin = authenticate(session, email="root@example.com", password="a-long-admin-password", now=utcnow())
        assert admin is not None and admin.role == "admin"
        found = agent_for_token(session, token)
        assert found is not None and found[0].email == "root@example.com"
    db.dispose()


def test_help_lists_the_agent_commands(run: Any) -> None:
    result = run("agent", "--help")
    assert result.returncode == 0 and "add" in result.stdout and "token" in result.stdout
    assert "--role" in run("agent", "add", "--help").stdout


def _on_a_terminal(run: Any, *args: str, answers: list[str]) -> tuple[int, str]:
    """Run a command with a pseudo-terminal as its controlling tty, answering each prompt in turn."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    # A fresh interpreter makes the pty its controlling terminal, then becomes the command
    # (no preexec_fn: forking a threaded test process must not run Python before exec).
    take_terminal = (
        "import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CHROMA_"))}
    env["DATABASE_URL"] = run.database
    process = subprocess.Popen(
        [sys.executable, "-c", take_terminal, str(BIN), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    output, since_answer, pending, deadline = b"", b"", list(answers), time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                since_answer += chunk
                # Answer only a fresh prompt: getpass flushes anything typed ahead of it.
                if pending and since_answer.endswith(b": "):
                    os.write(master, pending.pop(0).encode() + b"\n")
                    since_answer = b""
            elif process.poll() is not None:
                break
        return process.wait(timeout=30), output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)


def test_agent_add_prompts_twice_on_a_terminal(run: Any) -> None:
    code, output = _on_a_terminal(
        run, "agent", "add", "tty@example.com", answers=["terminal-password-1", "terminal-password-1"]
    )
    assert code == 0, output
    assert "Password" in output and "Repeat" in output and "terminal-password-1" not in output
    mismatch, output = _on_a_terminal(
        run, "agent", "add", "typo@example.com", answers=["terminal-password-1", "terminal-password-2"]
    )
    assert mismatch != 0 and "do not match" in output
