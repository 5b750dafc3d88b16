"""Account-wide brakes that a stranger cannot turn into a lockout.

Limits count per client, and per (client, account) pair, first (`RateLimiter`, in the handlers).
What counts per account — whoever the client — is only a safety net against a guesser rotating
addresses, so it is generous and slows down instead of shutting the door:

- console sign-in: `FREE_FAILURES` failed attempts per account per `WINDOW`, then each further
  attempt waits 1 s, 2 s, 4 s … (at most `MAX_DELAY`) after the last failure. A browser that has
  signed in to the account before (a known-device cookie, `device_token`) is never delayed, so
  the real agent gets in however many guesses strangers make.
- e-mail codes (`bot.access.identity`): per address, a growing spacing after a few sends and a
  daily cap, so nobody can flood an inbox.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.store.models import SignInThrottle

FREE_FAILURES = 20
WINDOW = timedelta(hours=1)
MAX_DELAY = timedelta(minutes=15)


def account_key(email: str) -> str:
    """The throttle row's key: no e-mail address is stored for it."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def growing_delay(failures: int, *, free: int, unit: timedelta, cap: timedelta) -> timedelta:
    """Nothing for the first `free`; then unit, 2×unit, 4×unit … up to `cap`."""
    if failures < free:
        return timedelta(0)
    grown: timedelta = unit * (2 ** min(failures - free, 30))
    return min(grown, cap)


def sign_in_wait(session: Session, email: str, *, now: datetime) -> int:
    """Seconds this account's next sign-in attempt must wait (0: go ahead)."""
    row = session.get(SignInThrottle, account_key(email))
    if row is None or row.window_start + WINDOW <= now:
        return 0
    ready = row.last_failure_at + growing_delay(
        row.failures, free=FREE_FAILURES, unit=timedelta(seconds=1), cap=MAX_DELAY
    )
    return max(0, int((ready - now).total_seconds() + 0.999))


def record_sign_in_failure(session: Session, email: str, *, now: datetime) -> None:
    key = account_key(email)
    row = session.get(SignInThrottle, key)
    if row is None:
        row = SignInThrottle(account=key, failures=0, window_start=now, last_failure_at=now)
    elif row.window_start + WINDOW <= now:
        row.failures, row.window_start = 0, now
    row.failures += 1
    row.last_failure_at = now
    session.add(row)


def clear_sign_in_failures(session: Session, email: str) -> None:
    """The account's owner got in: the brake is released."""
    row = session.get(SignInThrottle, account_key(email))
    if row is not None:
        session.delete(row)


def device_token(secret: str, email: str) -> str:
    """The known-device cookie's value for this account (a keyed hash: it cannot be forged)."""
    key = hashlib.sha256(b"known-device:" + secret.encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def is_known_device(secret: str, email: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(device_token(secret, email).encode(), (token or "").encode("utf-8"))
