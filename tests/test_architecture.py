"""House rules that keep the layers apart (DESIGN §2)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_bot_is_channel_agnostic() -> None:
    forbidden = {"slack_bolt", "slack_sdk", "fastapi", "starlette", "handlers", "app"}
    leaks = {path: names & forbidden for path, names in _imports("bot").items() if names & forbidden}
    assert leaks == {}


def test_knowledge_depends_on_nothing_of_ours() -> None:
    forbidden = {"bot", "handlers", "app", "slack_bolt", "slack_sdk", "fastapi"}
    leaks = {path: names & forbidden for path, names in _imports("knowledge").items() if names & forbidden}
    assert leaks == {}


def test_only_settings_reads_the_environment() -> None:
    readers = []
    for package in ("bot", "knowledge", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if any(s in text for s in ("os.getenv(", "os.environ.get(", "os.environ[\"", "environ.get(")):
                # knowledge/embeddings.py only *sets* offline flags before huggingface is imported.
                reads = [line for line in text.splitlines()
                         if ("getenv(" in line or "environ.get(" in line or ("environ[" in line and "] =" not in line))]
                if reads:
                    readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_modules_stay_small() -> None:
    big = [str(p.relative_to(ROOT)) for pkg in ("bot", "knowledge", "handlers") for p in (ROOT / pkg).rglob("*.py")
           if len(p.read_text(encoding="utf-8").splitlines()) > 500]
    assert big == []
