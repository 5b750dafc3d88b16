"""Access: who may do what. Requesters prove who they are with a host-signed identity or an
e-mail code (`identity`); agents sign in with argon2 passwords (`agents`) and hold console
sessions or API tokens (`sessions`); `ratelimit` keeps any one client from doing too much, and
`throttle` holds the per-account brakes that strangers cannot turn into a lockout.
"""

from bot.access.agents import authenticate, create_agent, get_agent_by_email
from bot.access.identity import CodeVerifier, sign_identity, verify_signature
from bot.access.ratelimit import RateLimiter
from bot.access.sessions import agent_for_token, issue_api_token, resolve_session, start_session

__all__ = [
    "CodeVerifier",
    "RateLimiter",
    "agent_for_token",
    "authenticate",
    "create_agent",
    "get_agent_by_email",
    "issue_api_token",
    "resolve_session",
    "sign_identity",
    "start_session",
    "verify_signature",
]
