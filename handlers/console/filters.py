"""Reading queue filters from a query string (console pages, CSV export and the JSON API alike)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from bot.cases.queue import PER_PAGE, QueueFilter
from bot.errors import InvalidInput

CONSOLE_DEFAULT_STATUS = "active"  # the console opens on the work still to do
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


def _int(value: str | None, name: str, default: int | None) -> int | None:
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number.") from None


def _bool(value: str | None, name: str) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"{name} must be true or false.")


def queue_filter(params: Mapping[str, str | None], *, default_status: str) -> QueueFilter:
    """A QueueFilter from strings; empty values mean 'no filter'; bad values raise InvalidInput."""

    def text(name: str) -> str | None:
        value = (params.get(name) or "").strip()
        return value or None

    return QueueFilter(
        status=text("status") or default_status,
        type=text("type"),
        assignee=text("assignee"),
        overdue=_bool(params.get("overdue"), "overdue"),
        due_within=_int(params.get("due_within"), "due_within", None),
        q=text("q"),
        sort=text("sort") or "due",
        page=_int(params.get("page"), "page", 1) or 1,
        per_page=_int(params.get("per_page"), "per_page", PER_PAGE) or PER_PAGE,
    )


def filter_query(queue: QueueFilter, **changes: object) -> str:
    """The query string that reproduces `queue` (with `changes`), omitting defaults."""
    values: dict[str, object] = {
        "q": queue.q,
        "status": queue.status,
        "type": queue.type,
        "assignee": queue.assignee,
        "overdue": "true" if queue.overdue else None,
        "due_within": queue.due_within,
        "sort": queue.sort if queue.sort != "due" else None,
        "per_page": queue.per_page if queue.per_page != PER_PAGE else None,
        "page": queue.page if queue.page != 1 else None,
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
