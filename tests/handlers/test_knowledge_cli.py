"""`privacy-bot knowledge export|import` and `/good` `/bad` in `privacy-bot chat`, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from bot.store.db import Database
from bot.store.models import AnswerFeedback, AskedQuestion
from bot.teaching.feedback import record_question
from bot.teaching.lessons import teach

BIN = Path(sys.executable).parent / "privacy-bot"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def run(tmp_path: Path, shared_dirs: dict[str, Path], knowledge: Any) -> Any:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SMTP_", "LLM_", "DATABASE_URL", "CHROMA_"))
    }
    env.update(CHROMA_PATH=str(shared_dirs["chroma"]), CACHE_DIR=str(shared_dirs["cache"]), HF_HUB_OFFLINE="1")

    def invoke(*args: str, database: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            cwd=tmp_path,
            env={**env, "DATABASE_URL": database},
            input=stdin,
            text=True,
            capture_output=True,
            timeout=240,
        )

    return invoke


def test_export_then_import_into_another_database(run: Any, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path}/source.db"
    db = Database(source)
    db.migrate()
    with db.write() as session:
        ids = [
            record_question(
                session, session_id="s", turn_id=n, channel="web", question=q, outcome="declined", citations=[], at=NOW
            ).id
            for n, q in enumerate(["who reads my privacy questions", "who reads my privacy questions, I'm x@y.com"])
        ]
        teach(session, question_ids=[i for i in ids if i], kind="hint", passage_id="s1-p01", actor="cli", now=NOW)
    db.dispose()

    exported = run("knowledge", "export", "taught.yaml", database=source)
    assert exported.returncode == 0, exported.stderr
    data = yaml.safe_load((tmp_path / "taught.yaml").read_text())
    assert data == {"s1-p01": ["who reads my privacy questions", "who reads my privacy questions, I'm [email]"]}
    assert run("knowledge", "export", database=source).stdout.endswith((tmp_path / "taught.yaml").read_text())

    target = f"sqlite:///{tmp_path}/target.db"
    imported = run("knowledge", "import", "taught.yaml", database=target)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 2 taught items" in imported.stdout
    again = run("knowledge", "export", database=target)
    assert yaml.safe_load(again.stdout) == data

    (tmp_path / "bad.yaml").write_text("s99-p00:\n  - nowhere\n")
    refused = run("knowledge", "import", "bad.yaml", database=target)
    assert refused.returncode == 1 and "not a passage" in refused.stderr
    missing = run("knowledge", "import", "missing.yaml", database=target)
    assert missing.returncode == 1 and "cannot read" in missing.stderr


@pytest.mark.slow
def test_chat_rates_the_latest_answer_and_offers_a_person(run: Any, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/chat.db"
    result = run("chat", database=database, stdin="/good\ncookies\n/bad\n1\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "There is no answer to rate yet." in result.stdout
    assert "Thanks for telling us" in result.stdout and "1. Talk to a person" in result.stdout
    db = Database(database)
    try:
        with db.read() as session:
            rows = session.exec(select(AnswerFeedback, AskedQuestion).join(AskedQuestion)).all()
    finally:
        db.dispose()
    assert [(q.question, v.helpful, v.channel) for v, q in rows] == [("cookies", False, "cli")]
    assert result.stdout.count("bot>") == 4  # no answer yet, cookies, thanks, the person
