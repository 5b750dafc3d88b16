"""Console pages: sign in and out, the queue with its dashboard, and the CSV export."""

from __future__ import annotations

import csv
import io
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from bot.access.agents import authenticate, list_agents
from bot.access.sessions import end_session, new_secret, same_secret, start_session
from bot.access.throttle import (
    clear_sign_in_failures,
    device_token,
    is_known_device,
    record_sign_in_failure,
    sign_in_wait,
)
from bot.cases.queue import SORTS, STATUS_FILTERS, csv_rows, dashboard, export_tickets, list_tickets, urgency
from bot.cases.readable import request_gist
from bot.errors import Forbidden, RateLimited
from bot.validation import mask_email
from handlers.console.auth import (
    CSRF_REFUSED,
    LOGIN_CSRF_COOKIE,
    ConsoleUserDep,
    FormUserDep,
    clear_session_cookie,
    session_cookie,
    set_session_cookie,
)
from handlers.console.filters import CONSOLE_DEFAULT_STATUS, filter_query, queue_filter
from handlers.console.render import NO_STORE, ConsolePageRoute, page
from handlers.deps import ServicesDep, client_key

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsolePageRoute, include_in_schema=False)
LOGIN_FAILED = "That e-mail and password do not match an active account."
KNOWN_DEVICE_COOKIE = "console_known_device"
KNOWN_DEVICE_DAYS = 180
QUEUE_POLL_SECONDS = 20  # the open queue page looks for new and changed tickets this often


def _safe_next(target: str | None) -> str:
    """Only ever return to a console page (no open redirect)."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/tickets"


def _login_form(
    request: Request,
    services: ServicesDep,
    *,
    next: str | None,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    notice: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    token = new_secret()
    response = page(
        request,
        "login.html",
        status=status,
        login_csrf=token,
        error=error,
        email=email,
        notice=notice,
        next=_safe_next(next),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path="/console/login",
        httponly=True,
        samesite="strict",
        secure=services.settings.https,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def end_session_if_any(request: Request, services: ServicesDep) -> None:
    """Signing in replaces any session the browser already had (no session fixation)."""
    old = session_cookie(request, services.settings)
    if old:
        with services.db.write() as session:
            end_session(session, old)


@router.get("/console")
def console_home() -> Response:
    return RedirectResponse("/console/tickets", status_code=303)


@router.get("/console/login")
def login_page(request: Request, services: ServicesDep) -> Response:
    """The sign-in form (also where expired sessions and sign-outs land)."""
    params = request.query_params
    notice = (
        "Your session has ended. Please sign in again."
        if params.get("expired")
        else "You have signed out."
        if params.get("signed_out")
        else None
    )
    return _login_form(request, services, next=params.get("next"), notice=notice)


@router.post("/console/login")
def login(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password and start a session. Limited per client and per (client, account) first;
    per account only by a growing delay after many failures, which a known device skips, so
    strangers guessing from many clients cannot lock the agent out (bot.access.throttle)."""
    if not same_secret(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        raise Forbidden(CSRF_REFUSED)
    address = email.strip().lower()
    settings = services.settings
    client = client_key(request)
    now = services.clock()
    known_device = is_known_device(settings.SECRET_KEY, address, request.cookies.get(KNOWN_DEVICE_COOKIE))
    try:
        message = "Too many sign-in attempts. Please wait a minute before trying again."
        services.limiter.check(settings.LOGIN_CLIENT_RATE_LIMIT, "console-login", client, message=message)
        services.limiter.check(settings.LOGIN_RATE_LIMIT, "console-login-pair", client, address, message=message)
        if not known_device:
            with services.db.read() as session:
                wait = sign_in_wait(session, address, now=now)
            if wait:
                raise RateLimited(message, retry_after=wait)
    except RateLimited as exc:
        log.warning("console sign-in rate-limited for %s", mask_email(address))
        text = f"Too many sign-in attempts. Please wait {exc.retry_after} seconds before trying again."
        return _login_form(
            request,
            services,
            next=next,
            status=429,
            error=text,
            email=address,
            headers={"Retry-After": str(exc.retry_after)},
        )
    with services.db.write() as session:
        agent = authenticate(session, email=address, password=password, now=now)
        cookie = start_session(session, agent, now=now, hours=settings.CONSOLE_SESSION_HOURS)[0] if agent else None
        if agent is None:
            record_sign_in_failure(session, address, now=now)
        else:
            clear_sign_in_failures(session, address)
    if cookie is None:
        log.info("console sign-in failed for %s", mask_email(address))
        return _login_form(request, services, next=next, status=401, error=LOGIN_FAILED, email=address)
    end_session_if_any(request, services)
    response = RedirectResponse(_safe_next(next), status_code=303, headers=NO_STORE)
    set_session_cookie(response, settings, cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    response.set_cookie(  # this browser is now known to the account: never delayed by others' guesses
        KNOWN_DEVICE_COOKIE,
        device_token(settings.SECRET_KEY, address),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        path="/console/login",
        httponly=True,
        samesite="strict",
        secure=settings.https,
    )
    return response


@router.post("/console/logout")
def logout(request: Request, services: ServicesDep, user: FormUserDep) -> Response:
    end_session_if_any(request, services)
    response = RedirectResponse("/console/login?signed_out=1", status_code=303, headers=NO_STORE)
    clear_session_cookie(response, services.settings)
    return response


@router.get("/console/tickets")
def queue_page(request: Request, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """The queue: dashboard strip, filters, search, sorted and paginated tickets."""
    queue = queue_filter(request.query_params, default_status=CONSOLE_DEFAULT_STATUS)
    now = services.clock()
    with services.db.read() as session:
        result = list_tickets(session, queue, today=now.date(), me_id=user.agent.id)
        figures = dashboard(session, now=now)
        agents = list_agents(session, active_only=True)
    rows = [
        {
            "ticket": t,
            "assignee": email,
            "days_left": (t.due_date - now.date()).days,
            "urgency": urgency(t, now.date()),
            "gist": request_gist(t),
        }
        for t, email in result.rows
    ]
    return page(
        request,
        "queue.html",
        user=user,
        section="queue",
        queue=queue,
        result=result,
        rows=rows,
        figures=figures,
        agents=agents,
        statuses=STATUS_FILTERS,
        sorts=SORTS,
        today=now.date(),
        poll_seconds=QUEUE_POLL_SECONDS,
        page_link=lambda n: "/console/tickets?" + filter_query(queue, page=n if n != 1 else None),
        export_link="/console/tickets.csv?" + filter_query(queue, page=None),
    )


@router.get("/console/tickets.csv")
def export_csv(request: Request, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """The filtered list as CSV (all pages; never the transcript)."""
    queue = queue_filter(request.query_params, default_status=CONSOLE_DEFAULT_STATUS)
    today = services.clock().date()
    with services.db.read() as session:
        rows = export_tickets(session, queue, today=today, me_id=user.agent.id)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(rows, today=today))
    log.info("console CSV export of %d tickets by agent %s", len(rows), user.agent.id)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="tickets-{today.isoformat()}.csv"'}
    # The BOM lets spreadsheet programs read names with accents correctly.
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
