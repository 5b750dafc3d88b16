"""Structured logs: one JSON object per line, a request id on every line, no personal data.

Code is expected never to log personal data; the masking here is the safety net for what slips
through (an exception message quoting an address, a library echoing input): e-mail addresses
are masked wherever they appear, and fields that are personal by name are redacted.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

request_id: ContextVar[str] = ContextVar("request_id", default="-")

# \w is Unicode-aware: international addresses (jörg@müller.de) are masked too.
_EMAIL = re.compile(r"([\w.%+-])[\w.%+-]*@([\w.-]+\.\w{2,})")
_PERSONAL_FIELDS = {
    "email",
    "name",
    "requester",
    "requester_email",
    "requester_name",
    "company",
    "text",
    "message",
    "code",
}
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def mask(text: str) -> str:
    """Mask every e-mail address in free text: jane.doe@acme.com → j***@acme.com."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "request_id", "msg", ...extra} with personal data masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "msg": mask(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_") or key == "request_id":
                continue
            entry[key] = "[redacted]" if key in _PERSONAL_FIELDS else _safe(value)
        if record.exc_info:
            entry["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines for a terminal, masked the same way."""

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or request_id.get()
        return mask(super().format(record))


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return mask(str(value))


def configure_logging(level: str = "INFO", *, fmt: str = "json", stream: TextIO | None = None) -> logging.Handler:
    """Route every logger (ours, uvicorn's, libraries') through one masked handler.

    `fmt` "auto" picks readable text when the stream is a terminal (`make run`) and JSON lines
    otherwise (services, containers, pipes)."""
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if _is_terminal(stream) else "json"
    handler = logging.StreamHandler(stream)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_helpdesk", False):
            root.removeHandler(existing)
    handler._helpdesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # uvicorn's access log writes the raw path and query string (session ids, searched e-mails).
    # Its protocol logs whenever the logger "has handlers" — which propagating to ours would give
    # it — so it is cut off here for good; the app writes its own access line (route templates).
    quiet = logging.getLogger("uvicorn.access")
    quiet.handlers = []
    quiet.propagate = False
    quiet.disabled = True
    # Chatty libraries stay at WARNING unless asked otherwise.
    for name in (
        "httpx",
        "httpx2",
        "httpcore",
        "chromadb",
        "sentence_transformers",
        "urllib3",
        "slack_bolt",
        "slack_sdk",
    ):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
