"""SECURITY.md stays true: every test its protection table names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_named_in_the_protection_table_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("## Protections and their tests", 1)[1]
    named: list[tuple[str, str]] = []
    for row in (line for line in table.splitlines() if line.startswith("| ") and "tests/" in line):
        current = ""
        for ref in re.findall(r"`([^`]+)`", row.rsplit("|", 2)[-2]):
            path, _, name = ref.rpartition("::")
            current = path or current
            named.append((current, name))
    assert len(named) >= 40
    missing = [(p, n) for p, n in named if f"def {n}(" not in (ROOT / p).read_text(encoding="utf-8")]
    assert missing == []
