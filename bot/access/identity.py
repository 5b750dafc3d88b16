"""Who the requester is: host-signed identities and 6-digit e-mail codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.access.throttle import growing_delay
from bot.errors import RateLimited, VerificationFailed
from bot.store.models import VerificationCode

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 3
SEND_WINDOW = timedelta(minutes=15)
MAX_SENDS = 3  # per (session, address) per SEND_WINDOW
FREE_SENDS_PER_ADDRESS = 5  # per address per day before the spacing grows: 1, 2, 4 … 60 minutes
DAILY_SENDS_PER_ADDRESS = 10  # per address per day, whoever asks: nobody floods an inbox
DAY = timedelta(days=1)
_HEX = frozenset("0123456789abcdef")


def sign_identity(email: str, secret: str) -> str:
    """The signature a portal computes for a logged-in user: hex HMAC-SHA256 of the e-mail."""
    return hmac.new(secret.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def verify_signature(email: str, signature: str, secret: str | None) -> bool:
    """Constant-time check of a host-signed identity; False when no secret is configured."""
    if not secret or not email or not signature:
        return False
    given = signature.strip().lower()
    # Hex first: compare_digest refuses non-ASCII str (a 500 before), and bytes compare alike.
    if len(given) != 64 or not set(given) <= _HEX:
        return False
    return hmac.compare_digest(sign_identity(email, secret).encode("ascii"), given.encode("ascii"))


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


class CodeVerifier:
    """Issues and checks e-mail codes; the database holds only keyed hashes of them."""

    def __init__(self, secret_key: str) -> None:
        self._key = secret_key.encode()

    def _hash(self, session_id: str, email: str, code: str) -> str:
        message = f"{session_id}:{email}:{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self, session: Session, *, session_id: str, email: str, now: datetime) -> IssuedCode:
        """A new code for this session and address. Limits: MAX_SENDS per (session, address) per
        SEND_WINDOW; per address, whoever asks, a growing spacing after FREE_SENDS_PER_ADDRESS in a
        day and at most DAILY_SENDS_PER_ADDRESS a day — so strangers asking for codes for someone
        else's address neither lock that person out for long nor flood their inbox."""
        self._check_pair(session, session_id=session_id, email=email, now=now)
        self._check_address(session, email=email, now=now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires_at = now + CODE_TTL
        session.add(
            VerificationCode(
                session_id=session_id,
                email=email,
                code_hash=self._hash(session_id, email, code),
                created_at=now,
                expires_at=expires_at,
            )
        )
        return IssuedCode(code, expires_at)

    @staticmethod
    def _check_pair(session: Session, *, session_id: str, email: str, now: datetime) -> None:
        since = now - SEND_WINDOW
        mine = (
            VerificationCode.email == email,
            VerificationCode.session_id == session_id,
            col(VerificationCode.created_at) >= since,
        )
        if session.exec(select(func.count()).select_from(VerificationCode).where(*mine)).one() < MAX_SENDS:
            return
        oldest = session.exec(select(func.min(VerificationCode.created_at)).where(*mine)).one()
        wait = int(((oldest or now) + SEND_WINDOW - now).total_seconds()) + 1
        raise RateLimited(
            f"I've already sent {MAX_SENDS} codes to that address recently. "
            f"Please try again in about {_minutes(wait)}.",
            retry_after=max(wait, 1),
        )

    @staticmethod
    def _check_address(session: Session, *, email: str, now: datetime) -> None:
        today = (VerificationCode.email == email, col(VerificationCode.created_at) > now - DAY)
        sent, first, last = session.exec(
            select(func.count(), func.min(VerificationCode.created_at), func.max(VerificationCode.created_at)).where(
                *today
            )
        ).one()
        if sent >= DAILY_SENDS_PER_ADDRESS:
            wait = int(((first or now) + DAY - now).total_seconds()) + 1
            raise RateLimited(
                "That address has had as many codes as we send in a day. Please try again tomorrow, "
                "or sign in to the portal and use the assistant there.",
                retry_after=max(wait, 1),
            )
        spacing = growing_delay(sent, free=FREE_SENDS_PER_ADDRESS, unit=timedelta(minutes=1), cap=timedelta(hours=1))
        wait = int(((last or now) + spacing - now).total_seconds() + 0.999) if spacing else 0
        if wait > 0:
            raise RateLimited(
                f"Several codes went to that address today. Please wait about {_minutes(wait + 59)} "
                "before asking for another.",
                retry_after=wait,
            )

    def check(self, session: Session, *, session_id: str, email: str, code: str, now: datetime) -> None:
        """Accept the latest live code for this session, or raise VerificationFailed."""
        record = session.exec(
            select(VerificationCode)
            .where(
                VerificationCode.session_id == session_id,
                VerificationCode.email == email,
                col(VerificationCode.consumed_at).is_(None),
            )
            .order_by(col(VerificationCode.created_at).desc(), col(VerificationCode.id).desc())
        ).first()
        if record is None:
            raise VerificationFailed(
                "There is no code waiting for that address. Ask me to send a new one.", code="no_code"
            )
        if record.expires_at <= now:
            raise VerificationFailed("That code has expired. Ask me to send a new one.", code="expired")
        if record.attempts >= MAX_ATTEMPTS:
            raise VerificationFailed(
                "Too many wrong attempts for that code. Ask me to send a new one.", code="exhausted"
            )
        record.attempts += 1
        session.add(record)
        if not hmac.compare_digest(record.code_hash, self._hash(session_id, email, code)):
            left = MAX_ATTEMPTS - record.attempts
            if left <= 0:
                raise VerificationFailed(
                    "That code is not right, and it can't be tried again. Ask me to send a new one.", code="exhausted"
                )
            tries = "one more try" if left == 1 else f"{left} more tries"
            raise VerificationFailed(f"That code is not right. You have {tries}.", code="wrong")
        record.consumed_at = now


def _minutes(seconds: int) -> str:
    """ "1 minute", "12 minutes": a wait in words, never "minute(s)"."""
    minutes = max(1, seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
