"""`privacy-bot` as a user runs it: real subprocesses, their own data directories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

BIN = Path(sys.executable).parent / "privacy-bot"


@pytest.fixture
def run(tmp_path: Path, shared_dirs: dict[str, Path], knowledge: Any) -> Any:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SMTP_", "LLM_", "DATABASE_URL", "CHROMA_"))
    }
    # The session's index is already built (the `knowledge` fixture): commands other than
    # `ingest` reuse it instead of paying for a fresh one each.
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
        CHROMA_PATH=str(shared_dirs["chroma"]),
        CACHE_DIR=str(shared_dirs["cache"]),
        HF_HUB_OFFLINE="1",
    )

    def invoke(
        *args: str, stdin: str | None = None, timeout: float = 240, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            cwd=tmp_path,
            env={**env, **extra},
            input=stdin,
            text=True,
            capture_output=True,
            timeout=timeout,
        )

    return invoke


def test_help_lists_every_command(run: Any) -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "ingest", "ask", "chat", "eval", "migrate"):
        assert command in result.stdout
    assert "--workers" in run("serve", "--help").stdout
    assert run("nonsense").returncode == 2


@pytest.mark.slow
def test_ingest_shows_progress_and_is_idempotent(run: Any, tmp_path: Path) -> None:
    fresh = str(tmp_path / "fresh-chroma")
    first = run("ingest", CHROMA_PATH=fresh)
    assert first.returncode == 0, first.stderr
    assert "embedding" in first.stderr and "Index updated." in first.stdout
    second = run("ingest", CHROMA_PATH=fresh)
    assert second.returncode == 0 and "nothing re-embedded" in second.stdout


@pytest.mark.slow
def test_ask_quotes_the_statement(run: Any) -> None:
    result = run("ask", "How long do you keep my data?")
    assert result.returncode == 0, result.stderr
    assert "Loading weights" not in result.stderr and "%|" not in result.stderr  # no library progress bars
    assert "stored as long as needed" in result.stdout and "Section 4" in result.stdout
    declined = run("ask", "what's the weather in Helsinki?")
    assert "only help with questions about the myKONE privacy statement" in declined.stdout


@pytest.mark.slow
def test_chat_in_the_terminal(run: Any) -> None:
    result = run("chat", stdin="hello\ncookies\n1\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "privacy assistant" in result.stdout
    assert "Section 5" in result.stdout  # the cookie answer
    assert result.stdout.count("bot>") == 3  # hello, cookies, and the numbered choice


@pytest.mark.slow
def test_eval_prints_every_figure_of_the_quality_table(run: Any) -> None:
    result = run("eval", "--suite", "tuning")
    assert result.returncode == 0, result.stdout + result.stderr
    for metric in (
        "answer contains the right passage",
        "inputs to decline that are declined",
        "close to the domain",
        'near misses answered "the statement does not say"',
        "questions about rights that start a flow unasked",
        "intent accuracy",
        "told in their language what the bot can do: fi",
        "follow-ups answered with the right passage",
    ):
        assert metric in result.stdout
    assert "| measure | tuning |" in result.stdout


def test_migrate(run: Any) -> None:
    result = run("migrate")
    assert result.returncode == 0 and "up to date" in result.stdout


def test_purge_reports_and_dry_run_changes_nothing(run: Any) -> None:
    assert run("migrate").returncode == 0
    dry = run("purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stdout and "tickets anonymised: 0" in dry.stdout
    real = run("purge", "--transcripts-days", "30")
    assert real.returncode == 0 and real.stdout.startswith("Purged:")


def test_purge_zero_days_means_zero_and_negative_days_are_refused(run: Any, tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.cases.tickets import create_ticket
    from bot.store.db import Database
    from bot.store.models import Ticket, utcnow
    from bot.types import Requester

    assert run("migrate").returncode == 0
    db = Database(f"sqlite:///{tmp_path}/db.sqlite")
    closed = utcnow() - timedelta(hours=1)
    with db.write() as session:
        ticket = create_ticket(
            session,
            type="deletion",
            requester=Requester(email="zoe@example.com", name="Zoe", verified_via="email_code"),
            verified_at=closed,
            channel="web",
            details={},
            now=closed - timedelta(days=1),
        )
        ticket.status, ticket.closed_at = "completed", closed
        session.add(ticket)
    kept = run("purge")  # the default period (three years) keeps it
    assert kept.returncode == 0 and "tickets anonymised: 0" in kept.stdout
    purged = run("purge", "--tickets-days", "0", "--transcripts-days", "0")
    assert purged.returncode == 0, purged.stderr
    assert "tickets anonymised: 1" in purged.stdout
    with db.read() as session:
        assert [t.requester_email for t in session.exec(select(Ticket))] == [None]
    db.dispose()
    refused = run("purge", "--tickets-days", "-1")
    assert refused.returncode == 2 and "days cannot be negative" in refused.stderr


def test_purge_deletes_the_export_files_of_the_tickets_it_anonymises(run: Any, tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.cases.tickets import create_ticket
    from bot.store.db import Database
    from bot.store.models import ExportFile, utcnow
    from bot.types import Requester

    assert run("migrate").returncode == 0
    db = Database(f"sqlite:///{tmp_path}/db.sqlite")
    exports = tmp_path / "exports"
    exports.mkdir()
    stored = exports / ("ab" * 16)
    stored.write_bytes(b'{"name": "Zoe"}')
    closed = utcnow() - timedelta(hours=1)
    with db.write() as session:
        ticket = create_ticket(
            session,
            type="access",
            requester=Requester(email="zoe@example.com", name="Zoe", verified_via="email_code"),
            verified_at=closed,
            channel="web",
            details={},
            now=closed - timedelta(days=1),
        )
        ticket.status, ticket.closed_at = "completed", closed
        session.add(ticket)
        assert ticket.id is not None
        session.add(
            ExportFile(
                ticket_id=ticket.id,
                link_hash="f" * 64,
                stored_name=stored.name,
                content_type="application/json",
                size=15,
                sha256="0" * 64,
                uploaded_at=closed,
                expires_at=closed + timedelta(days=7),
            )
        )
    db.dispose()
    kept = run("purge", EXPORT_DIR=str(exports))  # the ticket is young and its link still works
    assert kept.returncode == 0 and "export files deleted: 0" in kept.stdout and stored.exists()
    purged = run("purge", "--tickets-days", "0", EXPORT_DIR=str(exports))
    assert purged.returncode == 0, purged.stderr
    assert "export files deleted: 1" in purged.stdout and not stored.exists()
