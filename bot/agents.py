"""Agent accounts: argon2 password hashes and lookups (the console builds sessions and tokens on this)."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from bot.errors import InvalidInput
from bot.models import Agent
from bot.validation import validate_email

ROLES = ("agent", "admin")
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Constant-time argon2 check; a malformed stored hash is simply a failed login."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_agent_by_email(session: Session, email: str) -> Agent | None:
    """The active agent with this e-mail, if any (e-mails are stored lower-cased)."""
    return session.exec(select(Agent).where(Agent.email == email.strip().lower(), Agent.active == True)).first()  # noqa: E712


def create_agent(session: Session, *, email: str, password: str, role: str, now: datetime, name: str | None = None) -> Agent:
    """A new agent; refuses unknown roles, short passwords and duplicate e-mails."""
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of: {', '.join(ROLES)}.")
    if len(password) < 12:
        raise InvalidInput("Passwords need at least 12 characters.")
    address = validate_email(email)
    if session.exec(select(Agent).where(Agent.email == address)).first() is not None:
        raise InvalidInput(f"An agent with e-mail {address} already exists.")
    agent = Agent(email=address, name=name, role=role, password_hash=hash_password(password), created_at=now)
    session.add(agent)
    session.flush()
    return agent
