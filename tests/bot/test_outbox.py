"""The outbox: an outage delays notifications, never loses or duplicates them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.store.db import Database
from bot.store.models import OutboxMessage
from bot.store.outbox import OutboxWorker, PermanentFailure, enqueue
from tests.factories import FakeClock, RecordingSender

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _queue(db: Database, n: int = 1, kind: str = "receipt") -> None:
    with db.write() as session:
        for i in range(n):
            enqueue(
                session,
                channel="email",
                kind=kind,
                recipient=f"r{i}@example.com",
                subject="s",
                body="Your code is 123456" if kind == "verification_code" else "b",
                now=NOW,
            )


def test_outage_then_recovery_delivers_once(db: Database) -> None:
    clock, sender = FakeClock(NOW), RecordingSender()
    worker = OutboxWorker(db, {"email": sender}, clock=clock)
    _queue(db, 3)
    sender.failing = True
    assert worker.drain_once() == 3 and sender.sent == []
    assert worker.drain_once() == 0  # backing off: not due yet
    with db.read() as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"pending"} and all(r.last_error for r in rows)
    sender.failing = False
    clock.advance(minutes=1)
    assert worker.drain_once() == 3
    assert sorted(m.recipient for m in sender.sent) == ["r0@example.com", "r1@example.com", "r2@example.com"]
    clock.advance(hours=2)
    assert worker.drain_once() == 0 and len(sender.sent) == 3  # sent once, never again


def test_two_workers_never_send_the_same_message(db: Database) -> None:
    clock, sender = FakeClock(NOW), RecordingSender()
    _queue(db, 20)
    first = OutboxWorker(db, {"email": sender}, clock=clock)
    second = OutboxWorker(db, {"email": sender}, clock=clock)
    threads = [threading.Thread(target=w.drain_once, kwargs={"limit": 20}) for w in (first, second)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert len(sender.sent) == 20 and len({m.id for m in sender.sent}) == 20


def test_permanent_failure_stops_retrying(db: Database) -> None:
    class Gone:
        def send(self, message: OutboxMessage) -> None:
            raise PermanentFailure("user_not_found")

    worker = OutboxWorker(db, {"email": Gone()}, clock=FakeClock(NOW))
    _queue(db)
    worker.drain_once()
    with db.read() as session:
        assert session.exec(select(OutboxMessage)).one().status == "failed"


def test_sent_codes_are_not_kept(db: Database) -> None:
    sender = RecordingSender()
    _queue(db, kind="verification_code")
    OutboxWorker(db, {"email": sender}, clock=FakeClock(NOW)).drain_once()
    assert "123456" in sender.sent[0].body
    with db.read() as session:
        assert "123456" not in session.exec(select(OutboxMessage)).one().body


def test_background_loop_delivers_after_a_kick(db: Database) -> None:
    sender = RecordingSender()
    worker = OutboxWorker(db, {"email": sender}, clock=lambda: datetime.now(UTC), poll_seconds=30)
    worker.start()
    try:
        with db.write() as session:
            enqueue(
                session,
                channel="email",
                kind="receipt",
                recipient="k@example.com",
                body="b",
                now=datetime.now(UTC) - timedelta(seconds=1),
            )
        worker.kick()
        for _ in range(100):  # bounded wait, not a timing assertion
            if sender.sent:
                break
            threading.Event().wait(0.05)
        assert [m.recipient for m in sender.sent] == ["k@example.com"]
    finally:
        worker.stop()
