"""Export uploads: the console form and `POST /api/agent/tickets/{reference}/export`.

The only routes that take a large body: app.py includes this router with a body limit of
EXPORT_MAX_MB (plus room for the form around the file) instead of the app's 256 KB. The file is
checked and stored by bot.cases.exports; the handlers only hand it over.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from bot.cases.casework import load_case
from bot.cases.exports import ExportPolicy, complete_with_export
from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import Agent
from handlers.console.api import ERRORS, ticket_detail
from handlers.console.auth import ApiAgentDep, FormUserDep
from handlers.console.render import NO_STORE, ConsolePageRoute
from handlers.console.schemas import TicketDetailPublic
from handlers.console.ticket_pages import render_ticket
from handlers.deps import Services, ServicesDep

log = logging.getLogger(__name__)
UPLOAD_OVERHEAD = 64 * 1024  # multipart boundaries, the CSRF token and the note around the file
UPLOAD_PATHS = r"/(console|api/agent)/tickets/[^/]+/export"  # the routes below, for the body limit
pages = APIRouter(route_class=ConsolePageRoute, include_in_schema=False)
api = APIRouter(prefix="/api/agent", tags=["agent"])
router = APIRouter()


def _upload(services: Services, *, reference: str, upload: UploadFile, note: str, agent: Agent) -> str:
    """Store the export and complete the ticket (or send a new copy); the ticket's reference."""
    if not upload.filename:
        raise InvalidInput("Choose the file to send to the requester.")
    with services.db.write() as session:
        ticket, export = complete_with_export(
            session,
            reference=reference,
            source=upload.file,
            note=note or None,
            agent=agent,
            policy=ExportPolicy.from_settings(services.settings),
            now=services.clock(),
        )
        log.info("export %s (%d bytes) uploaded to %s by agent %s", export.id, export.size, ticket.reference, agent.id)
        done = ticket.reference
    services.outbox.kick()
    return done


@pages.post("/console/tickets/{reference}/export")
def ticket_export(
    reference: str,
    request: Request,
    services: ServicesDep,
    user: FormUserDep,
    file: Annotated[UploadFile | None, File()] = None,
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Upload the export: completes an access or portability request in progress, or sends a new copy."""
    try:
        if file is None:
            raise InvalidInput("Choose the file to send to the requester.")
        done = _upload(services, reference=reference, upload=file, note=note, agent=user.agent)
    except (InvalidInput, TransitionRefused) as exc:
        return render_ticket(
            request,
            services,
            user,
            reference,
            status=exc.status,
            error=exc.message,
            failed={"action": "export", "note": note},
        )
    return RedirectResponse(f"/console/tickets/{done}?done=export#status", status_code=303, headers=NO_STORE)


@api.post("/tickets/{reference}/export", response_model=TicketDetailPublic, responses=ERRORS)
def api_export(
    reference: str,
    services: ServicesDep,
    agent: ApiAgentDep,
    file: Annotated[
        UploadFile, File(description="JSON, CSV, ZIP or PDF (EXPORT_CONTENT_TYPES), at most EXPORT_MAX_MB")
    ],
    note: Annotated[str, Form(max_length=5000, description="The resolution note sent to the requester")] = "",
) -> Any:
    """Complete an access or portability request in progress with the export of the requester's data (or,
    once completed, send a new copy): the requester receives a download link that only they can use."""
    done = _upload(services, reference=reference, upload=file, note=note, agent=agent)
    with services.db.read() as session:
        case = load_case(session, done)
    return ticket_detail(case, services.clock())


router.include_router(pages)
router.include_router(api)
