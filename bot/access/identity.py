"""Who the requester is: host-signed identities and 6-digit e-mail codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.errors import RateLimited, VerificationFailed
from bot.store.models import VerificationCode

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 3
SEND_WINDOW = timedelta(minutes=15)
MAX_SENDS = 3
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
        """A new code for this session and address; at most MAX_SENDS per address per window."""
        since = now - SEND_WINDOW
        recent = session.exec(
            select(func.count())
            .select_from(VerificationCode)
            .where(VerificationCode.email == email, col(VerificationCode.created_at) >= since)
        ).one()
        if recent >= MAX_SENDS:
            oldest = session.exec(
                select(func.min(VerificationCode.created_at)).where(
                    VerificationCode.email == email, col(VerificationCode.created_at) >= since
                )
            ).one()
            wait = int(((oldest or now) + SEND_WINDOW - now).total_seconds()) + 1
            raise RateLimited(
                f"I've already sent {MAX_SENDS} codes to that address recently. "
                f"Please try again in about {max(1, wait // 60)} minute(s).",
                retry_after=max(wait, 1),
            )
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
            raise VerificationFailed(f"That code is not right. {left} attempt(s) left.", code="wrong")
        record.consumed_at = now
