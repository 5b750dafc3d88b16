"""The serving process runs the model on ONNX Runtime: after start-up and a turn, no torch in it,
and numpy's BLAS on one thread (its spinning helper thread doubled the CPU of a turn)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "langchain_huggingface")
PROBE = f"""
HEAVY = {HEAVY!r}
import json, sys
from fastapi.testclient import TestClient
from app import create_app, load_settings
with TestClient(create_app(load_settings())) as client:
    assert client.get("/healthz").status_code == 200
    reply = client.post("/api/chat", json={{"message": "How long do you keep my data?"}})
    assert reply.status_code == 200 and reply.json()["citations"], reply.text
from threadpoolctl import threadpool_info
blas = sorted({{p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}})
print(json.dumps([sorted(m for m in HEAVY if m in sys.modules), blas]))
"""


@pytest.mark.slow
def test_a_serving_process_never_imports_torch(knowledge: Any, shared_dirs: dict[str, Path], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CHROMA_", "CACHE_DIR"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/h.db",
        CHROMA_PATH=str(shared_dirs["chroma"]),  # the session's index: ready, nothing re-embedded
        CACHE_DIR=str(shared_dirs["cache"]),  # the converted model and the trained intent weights
        LOG_LEVEL="WARNING",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    heavy, blas = json.loads(done.stdout.strip().splitlines()[-1])
    assert heavy == []
    assert blas == [1]
