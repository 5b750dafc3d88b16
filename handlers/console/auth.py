"""Who is calling the console: session cookies and CSRF for pages, bearer tokens for the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.access.sessions import agent_for_token, record_token_use, resolve_session, same_secret, token_use_is_stale
from bot.errors import Forbidden, NotAuthenticated
from bot.settings import Settings
from bot.store.models import Agent
from handlers.deps import ServicesDep

LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_REFUSED = "This form has expired or did not come from the console. Go back, reload the page and try again."


class SessionExpired(NotAuthenticated):
    """A console cookie was presented but its session is over (expired, signed out or deactivated)."""


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in agent of a console request."""

    agent: Agent
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.agent.role == "admin"


def session_cookie_name(settings: Settings) -> str:
    # The __Host- prefix makes browsers refuse the cookie unless Secure, path=/ and host-only.
    return "__Host-console_session" if settings.https else "console_session"


def set_session_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(
        session_cookie_name(settings),
        value,
        max_age=settings.CONSOLE_SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        session_cookie_name(settings), path="/", httponly=True, samesite="lax", secure=settings.https
    )


def session_cookie(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(session_cookie_name(settings))


def _signed_in(request: Request, services: ServicesDep) -> ConsoleUser:
    cookie = session_cookie(request, services.settings)
    if not cookie:
        raise NotAuthenticated("Please sign in.")
    with services.db.read() as session:
        signed_in = resolve_session(session, cookie, now=services.clock())
    if signed_in is None:
        raise SessionExpired("Your session has ended. Please sign in again.")
    user = ConsoleUser(agent=signed_in.agent, csrf_token=signed_in.session.csrf_token)
    request.state.console_user = user  # so an error page can still show the navigation
    return user


ConsoleUserDep = Annotated[ConsoleUser, Depends(_signed_in)]


async def _with_csrf(request: Request, user: ConsoleUserDep) -> ConsoleUser:
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not same_secret(user.csrf_token, token):
        raise Forbidden(CSRF_REFUSED)
    return user


FormUserDep = Annotated[ConsoleUser, Depends(_with_csrf)]


def _admin(user: ConsoleUserDep) -> ConsoleUser:
    if not user.is_admin:
        raise Forbidden("This page is for administrators. Ask an admin if you need access.")
    return user


async def _admin_form(request: Request, user: FormUserDep) -> ConsoleUser:
    return _admin(user)


AdminDep = Annotated[ConsoleUser, Depends(_admin)]
AdminFormDep = Annotated[ConsoleUser, Depends(_admin_form)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    bearerFormat="pbt_…",
    description="An agent's API token: `privacy-bot agent token EMAIL`, or issued by an admin in the console.",
)


def _api_agent(
    services: ServicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Agent:
    token = credentials.credentials if credentials else None
    agent = None
    if token:
        now = services.clock()
        with services.db.read() as session:
            found = agent_for_token(session, token)
        if found is not None:
            agent, row = found
            if row.id is not None and token_use_is_stale(row, now=now):
                with services.db.write() as session:
                    record_token_use(session, token_id=row.id, now=now)
    if agent is None:
        # An HTTPException rather than NotAuthenticated, for the WWW-Authenticate header (RFC 6750).
        message = (
            "A valid API token is required (Authorization: Bearer …)."
            if not token
            else "This API token is not valid or has been revoked."
        )
        raise HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})
    return agent


ApiAgentDep = Annotated[Agent, Depends(_api_agent)]
