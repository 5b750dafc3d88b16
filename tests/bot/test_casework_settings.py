"""The casework settings: reminder days and times, and where and what exports may be."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import WEB_ROOT, Settings


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_the_defaults() -> None:
    defaults = settings()
    assert defaults.REMINDER_DAYS == [7, 2] and defaults.reminder_time == time(8, 0)
    assert defaults.digest_time == time(8, 0) and defaults.SCHEDULER_ENABLED
    assert defaults.EXPORT_LINK_DAYS == 7 and defaults.export_max_bytes == 50 * 1024 * 1024
    assert defaults.EXPORT_CONTENT_TYPES == ["application/json", "text/csv", "application/zip", "application/pdf"]


def test_values_as_the_environment_gives_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_DAYS", "2, 14,7")
    monkeypatch.setenv("EXPORT_CONTENT_TYPES", "application/zip, application/pdf")
    monkeypatch.setenv("DIGEST_TIME", "17:45")
    loaded = settings()
    assert loaded.REMINDER_DAYS == [14, 7, 2]  # most distant first
    assert loaded.EXPORT_CONTENT_TYPES == ["application/zip", "application/pdf"]
    assert loaded.digest_time == time(17, 45)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("REMINDER_DAYS", "0", "between 1 and 60"),
        ("REMINDER_TIME", "8am", "HH:MM"),
        ("DIGEST_TIME", "24:00", "HH:MM"),
        ("EXPORT_CONTENT_TYPES", "text/html", "may hold only"),
        ("EXPORT_MAX_MB", 0, "between 1 and 2048"),
        ("EXPORT_LINK_DAYS", 90, "between 1 and 30"),
        ("EXPORT_DIR", str(WEB_ROOT / "exports"), "web root"),
        ("EXPORT_DIR", str(WEB_ROOT), "web root"),
    ],
)
def test_bad_values_are_refused_with_what_is_allowed(name: str, value: Any, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        settings(**{name: value})


def test_the_export_directory_is_created_for_its_owner_only(tmp_path: Path) -> None:
    where = tmp_path / "exports"
    settings(
        EXPORT_DIR=str(where),
        CHROMA_PATH=str(tmp_path / "chroma"),
        CACHE_DIR=str(tmp_path / "cache"),
        DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
    ).ensure_local_dirs()
    assert where.is_dir() and (where.stat().st_mode & 0o777) == 0o700
