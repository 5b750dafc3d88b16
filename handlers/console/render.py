"""Rendering console pages: the Jinja2 environment, display filters, and HTML error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from bot.cases.notices import REJECTION_REASONS
from bot.cases.readable import VERIFICATION_LABELS
from bot.cases.tickets import STATUS_LABELS
from bot.errors import HelpdeskError, NotAuthenticated
from bot.flows import TYPE_LABELS
from handlers.console.auth import SessionExpired, clear_session_cookie

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# Pages show personal data: never cache them, anywhere.
NO_STORE = {"Cache-Control": "no-store"}
REJECTION_LABELS = {
    "manifestly_unfounded": "Manifestly unfounded",
    "excessive": "Excessive",
    "identity_not_verified": "Identity not verified",
    "other": "Other (explain below)",
}
assert set(REJECTION_LABELS) == set(REJECTION_REASONS)


def when(value: datetime | None) -> str:
    """2026-03-10 09:00 UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def days_text(days: int) -> str:
    """'12 days left', 'due today', '3 days overdue'."""
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def filesize(size: int) -> str:
    """1.2 MB, 340 KB, 12 bytes."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB" if size >= 1024 else f"{size} bytes"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        when=when,
        days_text=days_text,
        filesize=filesize,
        day=lambda d: d.isoformat() if isinstance(d, date) else "—",
        type_label=lambda t: TYPE_LABELS.get(t, t),
        status_label=lambda s: STATUS_LABELS.get(s, s),
        verification_label=lambda v: VERIFICATION_LABELS.get(v, v),
        rejection_label=lambda r: REJECTION_LABELS.get(r, r),
    )
    env.globals.update(TYPE_LABELS=TYPE_LABELS, STATUS_LABELS=STATUS_LABELS, REJECTION_LABELS=REJECTION_LABELS)
    return env


templates = Jinja2Templates(env=_environment())


def page(request: Request, name: str, *, status: int = 200, user: Any = None, **context: Any) -> Response:
    """Render a console template (never cached) with the signed-in user and their CSRF token."""
    context.setdefault("user", user)
    context.setdefault("csrf_token", user.csrf_token if user is not None else "")
    context.setdefault("section", "")
    return templates.TemplateResponse(request, f"console/{name}", context, status_code=status, headers=NO_STORE)


def error_page(request: Request, status: int, title: str, message: str, *, user: Any = None) -> Response:
    return page(request, "error.html", status=status, user=user, title=title, message=message)


def login_redirect(request: Request, *, expired: bool) -> Response:
    """Back to the sign-in page, remembering where the agent was going (GET pages only)."""
    target = request.url.path if request.method == "GET" else "/console/tickets"
    if request.url.query and request.method == "GET":
        target += "?" + request.url.query
    location = f"/console/login?next={quote(target, safe='')}" + ("&expired=1" if expired else "")
    response = RedirectResponse(location, status_code=303, headers=NO_STORE)
    if expired:
        clear_session_cookie(response, request.app.state.services.settings)
    return response


_TITLES = {
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    422: "Please check the input",
    429: "Too many requests",
    503: "Temporarily unavailable",
}


class ConsolePageRoute(APIRoute):
    """Console pages answer errors with HTML (or a redirect to sign in), never with API JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except NotAuthenticated as exc:
                return login_redirect(request, expired=isinstance(exc, SessionExpired))
            except HelpdeskError as exc:
                return error_page(
                    request,
                    exc.status,
                    _TITLES.get(exc.status, "Something is not right"),
                    exc.message,
                    user=getattr(request.state, "console_user", None),
                )
            except RequestValidationError:
                return error_page(
                    request,
                    422,
                    _TITLES[422],
                    "Some of the values in the address or form are not valid.",
                    user=getattr(request.state, "console_user", None),
                )

        return guarded
