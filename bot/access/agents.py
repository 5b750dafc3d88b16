"""Agent accounts: argon2 password hashes, sign-in checks, lookups and administration."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import Agent, ApiToken, ConsoleSession
from bot.validation import normalize_email, validate_email

ROLES = ("agent", "admin")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a cap keeps a huge body from costing CPU
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Constant-time argon2 check; a malformed stored hash is simply a failed login."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy_hash() -> str:
    """A hash to verify against when the e-mail is unknown, so timing does not reveal accounts."""
    return _hasher.hash("decoy password that matches nothing")


def actor_for(agent: Agent) -> str:
    """How an agent appears in the audit trail."""
    return f"agent:{agent.email}"


def get_agent(session: Session, agent_id: int) -> Agent | None:
    return session.get(Agent, agent_id)


def get_agent_by_email(session: Session, email: str) -> Agent | None:
    """The active agent with this e-mail, if any (e-mails are stored as `validate_email` returns them)."""
    address = normalize_email(email)
    return session.exec(select(Agent).where(Agent.email == address, col(Agent.active).is_(True))).first()


def list_agents(session: Session, *, active_only: bool = False) -> list[Agent]:
    """Every agent account, active ones first, by e-mail."""
    query = select(Agent).order_by(col(Agent.active).desc(), col(Agent.email))
    if active_only:
        query = query.where(col(Agent.active).is_(True))
    return list(session.exec(query))


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short (or absurdly long)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"Passwords need at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"Passwords are limited to {MAX_PASSWORD_CHARS} characters.")


def create_agent(
    session: Session, *, email: str, password: str, role: str, now: datetime, name: str | None = None
) -> Agent:
    """A new agent; refuses unknown roles, short passwords and duplicate e-mails."""
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of: {', '.join(ROLES)}.")
    check_password_rules(password)
    address = validate_email(email)
    if session.exec(select(Agent).where(Agent.email == address)).first() is not None:
        raise InvalidInput(f"An agent with e-mail {address} already exists.")
    agent = Agent(
        email=address,
        name=(name or "").strip() or None,
        role=role,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(agent)
    session.flush()
    return agent


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> Agent | None:
    """The active agent whose e-mail and password match, or None (same cost either way)."""
    if len(password) > MAX_PASSWORD_CHARS:
        return None
    agent = get_agent_by_email(session, email)
    if agent is None:
        verify_password(_decoy_hash(), password)
        return None
    if not verify_password(agent.password_hash, password):
        return None
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)  # parameters were raised since it was stored
    agent.last_login_at = now
    session.add(agent)
    return agent


def deactivate_agent(session: Session, *, agent_id: int, by: Agent, now: datetime) -> Agent:
    """Switch an account off: its sessions end and its API tokens are revoked at once."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise InvalidInput("No such agent.")
    if agent.id == by.id:
        raise TransitionRefused("You cannot deactivate your own account; ask another admin.")
    if not agent.active:
        raise TransitionRefused(f"{agent.email} is already deactivated.")
    if agent.role == "admin":
        admins = session.exec(
            select(func.count()).select_from(Agent).where(Agent.role == "admin", col(Agent.active).is_(True))
        ).one()
        if admins <= 1:
            raise TransitionRefused("The last active admin cannot be deactivated.")
    agent.active = False
    session.add(agent)
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.agent_id) == agent.id))
    session.exec(
        update(ApiToken)
        .where(col(ApiToken.agent_id) == agent.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return agent


def set_digest(session: Session, *, agent_id: int, on: bool) -> Agent:
    """An admin's choice to get the daily digest by e-mail (only active admins get it)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise InvalidInput("No such agent.")
    if on and (agent.role != "admin" or not agent.active):
        raise TransitionRefused("The daily digest goes to active admins only.")
    agent.digest_opt_in = on
    session.add(agent)
    return agent


def can_edit_knowledge(agent: Agent) -> bool:
    """The "knowledge" permission: teach the bot from the Knowledge page (admins always may)."""
    return agent.active and (agent.role == "admin" or agent.can_teach)


def set_knowledge_permission(session: Session, *, agent_id: int, on: bool) -> Agent:
    """Give an agent the "knowledge" permission, or take it away (an admin holds it by role)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise InvalidInput("No such agent.")
    if agent.role == "admin":
        raise TransitionRefused("Admins always edit the knowledge; the setting is for agents.")
    if on and not agent.active:
        raise TransitionRefused("A deactivated account cannot be given a permission.")
    agent.can_teach = on
    session.add(agent)
    return agent
