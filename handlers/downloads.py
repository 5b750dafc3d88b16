"""The requester's download page for an access or portability export: /exports/{link}.

The link alone opens nothing. The page sends a 6-digit code to the e-mail address of the request
(never to one typed in), with the chat's rules (10 minutes, 3 attempts, the same sending limits),
and streams the file only in answer to the right code — so a forwarded link is useless to anyone
without the requester's mailbox. Every download is an audit event of the ticket; an expired or
revoked link answers 410.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import FileResponse

from bot.access.identity import CodeVerifier
from bot.access.sessions import new_secret, same_secret
from bot.cases.exports import ExportPolicy, download_name, open_link, record_download
from bot.cases.notices import download_code
from bot.errors import Forbidden, HelpdeskError, InvalidInput, RateLimited, VerificationFailed
from bot.store.outbox import enqueue
from bot.validation import mask_email, validate_code
from handlers.console.render import NO_STORE, templates
from handlers.deps import Services, ServicesDep, client_key

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "export_csrf"
CODE_LIMIT_MESSAGE = "You've asked for several codes in a short time. Please wait a few minutes and try again."


def _page(
    request: Request,
    services: Services,
    secret: str,
    *,
    state: str,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    masked: str = "",
    reference: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or new_secret()
    response = templates.TemplateResponse(
        request,
        "downloads/download.html",
        {"state": state, "secret": secret, "error": error, "notice": notice, "masked": masked, "reference": reference}
        | {"csrf_token": token},
        status_code=status,
        headers={**NO_STORE, **(headers or {})},
    )
    response.set_cookie(
        CSRF_COOKIE, token, path="/exports", httponly=True, samesite="strict", secure=services.settings.https
    )
    return response


def _gone(request: Request, services: Services, secret: str, exc: HelpdeskError) -> Response:
    return _page(request, services, secret, state="gone", status=exc.status, error=exc.message)


def _check_csrf(request: Request, token: str) -> None:
    if not same_secret(request.cookies.get(CSRF_COOKIE, ""), token):
        raise Forbidden("This page has expired. Please open the link from your message again.")


def _link(services: Services, secret: str) -> tuple[str, str]:
    """(masked e-mail, reference) of a link that still works, or LinkNotFound / LinkGone."""
    with services.db.read() as session:
        _, ticket = open_link(session, secret, now=services.clock())
        return mask_email(ticket.requester_email), ticket.reference


@router.get("/exports/{secret}")
def download_page(secret: str, request: Request, services: ServicesDep) -> Response:
    """Explains the check and offers to send the code."""
    try:
        masked, reference = _link(services, secret)
    except HelpdeskError as exc:
        return _gone(request, services, secret, exc)
    return _page(request, services, secret, state="start", masked=masked, reference=reference)


@router.post("/exports/{secret}/code")
def send_code(
    secret: str, request: Request, services: ServicesDep, csrf_token: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """A code to the request's own e-mail address (limited like the chat's codes)."""
    try:
        _check_csrf(request, csrf_token)
        now = services.clock()
        services.limiter.check(
            services.settings.CODE_SEND_LIMIT, "export-code", client_key(request), message=CODE_LIMIT_MESSAGE
        )
        with services.db.write() as session:
            export, ticket = open_link(session, secret, now=now)
            assert ticket.requester_email is not None  # every verified ticket has one until it is anonymised
            issued = CodeVerifier(services.settings.SECRET_KEY).issue(
                session, session_id=f"export-{export.id}", email=ticket.requester_email, now=now
            )
            notice = download_code(issued.code, ticket.reference)
            enqueue(
                session,
                channel="email",
                kind="verification_code",
                recipient=ticket.requester_email,
                subject=notice.subject,
                body=notice.body,
                now=now,
                ticket_id=ticket.id,
                payload={"mail": notice.mail},
            )
            masked, reference = mask_email(ticket.requester_email), ticket.reference
    except RateLimited as exc:
        return _page(
            request,
            services,
            secret,
            state="start",
            status=429,
            error=exc.message,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except HelpdeskError as exc:
        return _gone(request, services, secret, exc)
    services.outbox.kick()
    return _page(
        request,
        services,
        secret,
        state="code",
        notice=f"We've sent a 6-digit code to {masked}. It expires in 10 minutes.",
        masked=masked,
        reference=reference,
    )


@router.post("/exports/{secret}/download")
def download(
    secret: str,
    request: Request,
    services: ServicesDep,
    code: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The file, in answer to the right code; every download is audited."""
    error: str | None = None
    found: dict[str, Any] = {}
    try:
        _check_csrf(request, csrf_token)
        now = services.clock()
        with services.db.write() as session:
            export, ticket = open_link(session, secret, now=now)
            found.update(masked=mask_email(ticket.requester_email), reference=ticket.reference)
            try:
                assert ticket.requester_email is not None
                CodeVerifier(services.settings.SECRET_KEY).check(
                    session,
                    session_id=f"export-{export.id}",
                    email=ticket.requester_email,
                    code=validate_code(code),
                    now=now,
                )
            except (VerificationFailed, InvalidInput) as exc:
                error = exc.message  # the attempt still counts: this transaction commits
            else:
                record_download(session, export, ticket, now=now)
                path = ExportPolicy.from_settings(services.settings).path(export.stored_name)
                found.update(path=path, name=download_name(ticket, export), type=export.content_type, id=export.id)
    except HelpdeskError as exc:
        return _gone(request, services, secret, exc)
    if error is not None:
        return _page(request, services, secret, state="code", status=403, error=error, **found)
    if not found["path"].is_file():  # revoked or purged a moment ago
        return _page(request, services, secret, state="gone", status=410, error="This file is no longer available.")
    log.info("export %s downloaded by its requester", found["id"])
    return FileResponse(found["path"], media_type=found["type"], filename=found["name"], headers=NO_STORE)
