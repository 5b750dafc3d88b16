"""Notifications through a database outbox: written in the same transaction as the change they
announce, delivered by a worker with retries, so an SMTP or Slack outage delays but never loses."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import case, update
from sqlmodel import Session, col, func, select

from bot.metrics import NULL_RECORDER, Recorder
from bot.store.models import OutboxMessage, Ticket

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=30)
GIVE_UP_AFTER = 60  # attempts; at the capped backoff that is more than a day of outage
LEASE = timedelta(seconds=60)


class Sender(Protocol):
    """Delivers one outbox message or raises; implemented per channel (SMTP, Slack)."""

    def send(self, message: OutboxMessage) -> None: ...


class PermanentFailure(Exception):
    """The message can never be delivered (e.g. the Slack user is gone): stop retrying."""


def enqueue(
    session: Session,
    *,
    channel: str,
    kind: str,
    recipient: str,
    body: str,
    now: datetime,
    subject: str = "",
    payload: dict[str, Any] | None = None,
    ticket_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        payload=payload or {},
        ticket_id=ticket_id,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def mail_context(ticket: Ticket) -> dict[str, Any]:
    """What every e-mail about a ticket can say: whom it greets, the reference, the type, the dates."""
    return {
        "name": ticket.requester_name or "",
        "reference": ticket.reference,
        "type": ticket.type,
        "received": ticket.received_at.date().isoformat(),
        "due_date": ticket.due_date.isoformat(),
    }


def notify_requester(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    subject: str,
    body: str,
    now: datetime,
    mail: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Tell the requester by Slack DM when they came through Slack (`body`), else by e-mail, whose
    template (bot.cases.emails) renders from the ticket's context and `mail` when it is sent."""
    by_slack = ticket.channel == "slack" and ticket.slack_user_id
    recipient = ticket.slack_user_id if by_slack else ticket.requester_email
    if not recipient:
        return None
    payload: dict[str, Any] = {"reference": ticket.reference}
    if not by_slack:
        payload["mail"] = {**mail_context(ticket), **(mail or {})}
    return enqueue(
        session,
        channel="slack" if by_slack else "email",
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        now=now,
        ticket_id=ticket.id,
        payload=payload,
    )


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox: undelivered messages per channel, the oldest one, the longest-due one."""

    pending: dict[str, int]
    oldest_pending: datetime | None  # when the oldest undelivered message was queued
    oldest_due: datetime | None  # since when the longest-waiting claimable message has been due


def outbox_backlog(session: Session, *, now: datetime, channels: Collection[str] | None = None) -> Backlog:
    """Three small aggregate queries over the (status, next_attempt_at) index; `channels` limits `oldest_due`."""
    pending_rows = session.exec(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.status == "pending")
        .group_by(OutboxMessage.channel)
    ).all()
    oldest_pending = session.exec(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending")
    ).one()
    due = (
        select(func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status == "pending", col(OutboxMessage.next_attempt_at) <= now)
        .where((col(OutboxMessage.lease_until).is_(None)) | (col(OutboxMessage.lease_until) < now))
    )
    if channels is not None:
        due = due.where(col(OutboxMessage.channel).in_(list(channels)))
    return Backlog(pending=dict(pending_rows), oldest_pending=oldest_pending, oldest_due=session.exec(due).one())


class OutboxWorker:
    """Claims due messages with a lease (safe across processes), sends them, records the result."""

    def __init__(
        self,
        db: Any,
        senders: dict[str, Sender],
        *,
        clock: Callable[[], datetime],
        poll_seconds: float = 5.0,
        metrics: Recorder = NULL_RECORDER,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.metrics = metrics
        # When this process last tried a delivery (any result): /healthz tells a backlog that is
        # being worked from an outbox nobody drains.
        self.last_attempt_at: datetime | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        """Ask the background loop to look now (after a commit that queued something)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the background loop of this process is alive."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self.drain_once():
                    pass
            except Exception:  # the loop must survive a database outage and keep retrying
                log.warning("outbox pass failed; will retry", exc_info=True)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def drain_once(self, limit: int = 20) -> int:
        """Send up to `limit` due messages; returns how many were attempted."""
        now = self.clock()
        with self.db.read() as session:
            due = session.exec(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == "pending",
                    col(OutboxMessage.next_attempt_at) <= now,
                    col(OutboxMessage.channel).in_(list(self.senders)),
                )
                .where((col(OutboxMessage.lease_until).is_(None)) | (col(OutboxMessage.lease_until) < now))
                # A code is wanted within seconds; a receipt can wait behind it in a backlog.
                .order_by(case((col(OutboxMessage.kind) == "verification_code", 0), else_=1), col(OutboxMessage.id))
                .limit(limit)
            ).all()
        attempted = 0
        for message_id in due:
            message = self._claim(message_id, now)
            if message is None:
                continue  # another process got it first
            attempted += 1
            self._deliver(message)
        return attempted

    def _claim(self, message_id: int, now: datetime) -> OutboxMessage | None:
        with self.db.write() as session:
            claimed = session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "pending")
                .where((col(OutboxMessage.lease_until).is_(None)) | (col(OutboxMessage.lease_until) < now))
                .values(lease_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
            ).rowcount
            if not claimed:
                return None
            message: OutboxMessage | None = session.get(OutboxMessage, message_id)
            return message

    def _deliver(self, message: OutboxMessage) -> None:
        sender = self.senders[message.channel]
        self.last_attempt_at = self.clock()
        try:
            sender.send(message)
        except PermanentFailure as exc:
            self._finish(message, status="failed", error=str(exc))
            self.metrics.delivery(channel=message.channel, result="failed")
            log.error("outbox message %s (%s) failed permanently: %s", message.id, message.kind, exc)
        except Exception as exc:  # any transport error: retry later with backoff
            give_up = message.attempts >= GIVE_UP_AFTER
            self._finish(message, status="failed" if give_up else "pending", error=f"{type(exc).__name__}: {exc}"[:500])
            self.metrics.delivery(channel=message.channel, result="failed" if give_up else "retry")
            log.warning(
                "outbox message %s (%s) attempt %s failed: %s",
                message.id,
                message.kind,
                message.attempts,
                type(exc).__name__,
            )
        else:
            self._finish(message, status="sent")
            self.metrics.delivery(channel=message.channel, result="sent")
            log.info("outbox message %s (%s) sent via %s", message.id, message.kind, message.channel)

    def _finish(self, message: OutboxMessage, *, status: str, error: str | None = None) -> None:
        now = self.clock()
        backoff = min(timedelta(seconds=5 * 2 ** min(message.attempts, 12)), MAX_BACKOFF)
        values: dict[str, Any] = {"status": status, "lease_until": None, "last_error": error}
        if status == "sent":
            values["sent_at"] = now
            if message.kind == "verification_code":
                values["body"] = "[code delivered; removed]"  # codes are only ever stored hashed
        elif status == "pending":
            values["next_attempt_at"] = now + backoff
        with self.db.write() as session:
            session.exec(update(OutboxMessage).where(col(OutboxMessage.id) == message.id).values(**values))
