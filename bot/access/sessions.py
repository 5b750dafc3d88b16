"""Console sessions, CSRF tokens and API tokens: random secrets handed out once, stored as SHA-256.

The secrets carry 256 random bits, so a plain SHA-256 (no salt, no slow hash) is enough to make a
leaked table useless while keeping lookups a single indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import Agent, ApiToken, ConsoleSession

TOKEN_PREFIX = "pbt_"  # recognisable in secret scanners and logs
# Touch last_used_at at most this often, so read-only API calls rarely need a write.
_USAGE_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class SignedIn:
    """A live console session and its agent."""

    agent: Agent
    session: ConsoleSession


def digest(secret: str) -> str:
    """Hex SHA-256: how sessions and API tokens are stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def same_secret(expected: str, given: str | None) -> bool:
    """Constant-time comparison (CSRF tokens)."""
    return bool(given) and hmac.compare_digest(expected.encode("utf-8"), (given or "").encode("utf-8"))


def start_session(session: Session, agent: Agent, *, now: datetime, hours: int) -> tuple[str, ConsoleSession]:
    """A new session for `agent`: returns the cookie value (shown once) and the stored row."""
    assert agent.id is not None
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) < now))
    cookie = new_secret()
    row = ConsoleSession(
        id=digest(cookie),
        agent_id=agent.id,
        csrf_token=new_secret(),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    return cookie, row


def resolve_session(session: Session, cookie: str | None, *, now: datetime) -> SignedIn | None:
    """The signed-in agent behind a cookie, or None when unknown, expired or deactivated."""
    if not cookie or len(cookie) > 200:
        return None
    row = session.get(ConsoleSession, digest(cookie))
    if row is None or row.expires_at <= now:
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        return None
    return SignedIn(agent=agent, session=row)


def end_session(session: Session, cookie: str | None) -> None:
    """Forget a session (logout, expiry)."""
    if cookie and len(cookie) <= 200:
        session.exec(delete(ConsoleSession).where(col(ConsoleSession.id) == digest(cookie)))


def issue_api_token(session: Session, agent: Agent, *, now: datetime) -> tuple[str, ApiToken]:
    """A new bearer token for `agent`: the plain token is returned once and stored only hashed."""
    if agent.id is None or not agent.active:
        raise InvalidInput("API tokens are only issued to active agents.")
    token = TOKEN_PREFIX + new_secret()
    row = ApiToken(agent_id=agent.id, token_hash=digest(token), created_at=now)
    session.add(row)
    session.flush()
    return token, row


def agent_for_token(session: Session, token: str | None) -> tuple[Agent, ApiToken] | None:
    """The active agent a bearer token belongs to; None for unknown, revoked or deactivated."""
    if not token or len(token) > 200:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        return None
    return agent, row


def token_use_is_stale(row: ApiToken, *, now: datetime) -> bool:
    """Whether last_used_at is worth a write (it is kept to within a few minutes)."""
    return row.last_used_at is None or now - row.last_used_at > _USAGE_RESOLUTION


def record_token_use(session: Session, *, token_id: int, now: datetime) -> None:
    session.exec(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))


def revoke_api_token(session: Session, *, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token; it stops working on the next request."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise InvalidInput("No such API token.")
    if row.revoked_at is not None:
        raise TransitionRefused("That token is already revoked.")
    row.revoked_at = now
    session.add(row)
    return row


def list_api_tokens(session: Session) -> list[tuple[ApiToken, str]]:
    """Every API token (never the secret) with its agent's e-mail, newest first."""
    rows = session.exec(
        select(ApiToken, Agent.email)
        .join(Agent, col(Agent.id) == ApiToken.agent_id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    return [(token, email) for token, email in rows]
