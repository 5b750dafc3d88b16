"""Taught knowledge reaches every process: each polls the knowledge version in the database and,
when it moved, reloads the taught items into its in-memory index — no restart, no deploy."""

from __future__ import annotations

import logging
import threading

from bot.store.db import Database
from bot.teaching.lessons import current_version, taught_entries
from knowledge.taught import TaughtIndex

log = logging.getLogger(__name__)


class KnowledgeRefresher:
    """Keeps one process's `TaughtIndex` at the database's knowledge version."""

    def __init__(self, db: Database, index: TaughtIndex, *, poll_seconds: float = 5.0) -> None:
        self.db = db
        self.index = index
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def refresh(self, *, force: bool = False) -> bool:
        """Reload when the version moved (or `force`); returns whether it reloaded."""
        with self._lock:
            with self.db.read() as session:
                version = current_version(session)
                if version == self.index.version and not force:
                    return False
                entries = taught_entries(session)
            self.index.load(entries, version=version)
        log.info("taught knowledge: version %d, %d items", version, len(entries))
        return True

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="knowledge-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh()
            except Exception as exc:  # the database may be down for a while: keep what is loaded
                log.warning("taught knowledge: refresh failed: %s", type(exc).__name__)
