"""bot.dedupe: the first claim of a key wins, across threads and (through the database) processes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.store import dedupe
from bot.store.db import Database
from bot.store.models import ProcessedEvent, Turn

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _database(url: str) -> Database:
    db = Database(url)
    db.migrate()
    return db


def test_a_key_is_claimed_once_and_a_duplicate_keeps_the_callers_work(database_url: str) -> None:
    db = _database(database_url)
    try:
        with db.write() as session:
            assert dedupe.claim(session, "slack:msg:T1:D1:1.0", NOW)
        with db.write() as session:
            session.add(Turn(session_id="s", role="user", text="kept", payload={}, created_at=NOW))
            assert not dedupe.claim(session, "slack:msg:T1:D1:1.0", NOW)  # only the savepoint is undone
        with db.read() as session:
            assert [t.text for t in session.exec(select(Turn))] == ["kept"]
        with db.write() as session:
            dedupe.release(session, "slack:msg:T1:D1:1.0")
        with db.write() as session:
            assert dedupe.claim(session, "slack:msg:T1:D1:1.0", NOW)
    finally:
        db.dispose()


def test_purge_drops_keys_older_than_a_day(database_url: str) -> None:
    db = _database(database_url)
    try:
        with db.write() as session:
            dedupe.claim(session, "old", NOW - timedelta(days=2))
            dedupe.claim(session, "recent", NOW - timedelta(hours=2))
        with db.write() as session:
            assert dedupe.purge(session, now=NOW) == 1
        with db.read() as session:
            assert [e.key for e in session.exec(select(ProcessedEvent))] == ["recent"]
    finally:
        db.dispose()


def test_concurrent_claims_of_the_same_keys_have_one_winner_each(database_url: str) -> None:
    db = _database(database_url)
    keys = [f"slack:msg:T1:D{n}:1.0" for n in range(20)]

    def claim_all(_: int) -> int:
        won = 0
        for key in keys:
            with db.write() as session:
                won += dedupe.claim(session, key, NOW)
        return won

    try:
        with ThreadPoolExecutor(6) as pool:
            assert sum(pool.map(claim_all, range(6))) == len(keys)
    finally:
        db.dispose()
