"""The casework scheduler: a background loop in every app process, of which one runs at a time.

Which one is decided in the database, like the outbox's claims: a `scheduler_lease` row that a
process takes when it is free or expired and renews on every run, so a second process (or a
second host) waits, and takes over within one lease when the runner stops. A run sends the due
reminders and today's digest (bot.cases.reminders: each once, by unique keys, so even two runners
could not send one twice) and deletes the export files whose link has ended.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.cases.exports import ExportPolicy, expired_files, remove_files, sweep_orphans
from bot.cases.reminders import ReminderPolicy, send_digest, send_reminders
from bot.store.models import SchedulerLease

log = logging.getLogger(__name__)
JOB = "casework"


@dataclass(frozen=True)
class RunReport:
    reminders: int = 0
    digest: bool = False
    files_removed: int = 0


class Scheduler:
    """Runs casework's timed jobs; `run_once` is one pass (None when another process holds the lease)."""

    def __init__(
        self,
        db: Any,
        *,
        clock: Callable[[], datetime],
        policy: ReminderPolicy,
        exports: ExportPolicy | None = None,
        poll_seconds: float = 60.0,
        on_queued: Callable[[], None] = lambda: None,
        holder: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy
        self.exports = exports
        self.poll_seconds = poll_seconds
        self.on_queued = on_queued
        self.holder = (holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}")[:64]
        # Long enough to outlast a slow run, short enough for a quick take-over when the runner stops.
        self.lease = timedelta(seconds=max(60.0, 3 * poll_seconds))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self.release()
        except Exception:  # shutting down with the database gone: the lease simply expires
            log.warning("could not release the scheduler lease", exc_info=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the loop must survive a database outage and try again
                log.warning("scheduler pass failed; will retry", exc_info=True)
            self._stop.wait(self.poll_seconds)

    def acquire(self, now: datetime) -> bool:
        """Take or renew the lease; False while another process holds a live one."""
        free = (col(SchedulerLease.lease_until) < now) | (col(SchedulerLease.holder) == self.holder)
        with self.db.write() as session:
            taken = session.exec(
                update(SchedulerLease)
                .where(col(SchedulerLease.name) == JOB, free)
                .values(holder=self.holder, lease_until=now + self.lease)
            ).rowcount
            if taken:
                return True
            if session.get(SchedulerLease, JOB) is not None:
                return False
        try:
            with self.db.write() as session:
                session.add(SchedulerLease(name=JOB, holder=self.holder, lease_until=now + self.lease))
            return True
        except IntegrityError:  # another process created it first
            return False

    def release(self) -> None:
        """Let another process take over at once."""
        with self.db.write() as session:
            session.exec(
                update(SchedulerLease)
                .where(col(SchedulerLease.name) == JOB, col(SchedulerLease.holder) == self.holder)
                .values(lease_until=self.clock() - timedelta(seconds=1))
            )

    def run_once(self) -> RunReport | None:
        """One pass: reminders, the digest, ended export files."""
        now = self.clock()
        if not self.acquire(now):
            return None
        names: list[str] = []
        with self.db.write() as session:
            reminders = send_reminders(session, now=now, policy=self.policy)
            sent_digest = send_digest(session, now=now, policy=self.policy)
            if self.exports is not None:
                names = expired_files(session, now=now)
        removed = 0
        if self.exports is not None:
            removed = remove_files(self.exports.directory, names)
            with self.db.read() as session:
                removed += sweep_orphans(session, self.exports.directory, now=now)
        if reminders or sent_digest:
            self.on_queued()
            log.info("scheduler queued %d reminder(s)%s", reminders, " and the digest" if sent_digest else "")
        return RunReport(reminders=reminders, digest=sent_digest, files_removed=removed)
