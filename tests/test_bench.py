"""The benchmark scripts start: each one's --help runs its imports (they are run by hand, so a
renamed helper module would otherwise go unnoticed until someone measures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", ["run.py", "load.py", "compare.py", "embeddings.py"])
def test_every_benchmark_script_starts(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "usage:" in done.stdout, done.stderr[-2000:]


def test_the_embedding_benchmark_finds_its_questions() -> None:
    from bench.common import base_questions, distinct

    questions = distinct(base_questions(), 170, "e")
    assert len(set(questions)) == 170
