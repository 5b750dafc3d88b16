"""Handle-once keys for inbound deliveries (e.g. Slack retries), kept in the database so every
app process sees the same keys: the first claim of a key wins, every later one is told no."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.store.models import ProcessedEvent

KEEP_FOR = timedelta(days=1)  # far longer than any redelivery window (Slack retries within minutes)
MAX_KEY_CHARS = 200


def claim(session: Session, key: str, now: datetime) -> bool:
    """Record `key` as handled; False when some process (this one or another) already has it."""
    key = key[:MAX_KEY_CHARS]
    # A savepoint, so a duplicate only undoes this insert and not the caller's transaction.
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(key=key, created_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def release(session: Session, key: str) -> None:
    """Forget a claim whose handling failed, so a redelivery may try again."""
    session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.key) == key[:MAX_KEY_CHARS]))


def purge(session: Session, *, now: datetime, older_than: timedelta = KEEP_FOR) -> int:
    """Delete keys older than `older_than` (default a day); returns how many went."""
    result = session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.created_at) < now - older_than))
    return int(result.rowcount or 0)
