"""Console pages for one ticket: the case file, actions, messages to the requester, export links,
internal notes and the JSON record (export uploads: handlers/console/uploads.py)."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import col, func, select

from bot.access.agents import actor_for, list_agents
from bot.cases.casework import AGENT_ACTIONS, CaseFile, add_note, case_record, load_case, perform_action
from bot.cases.exports import EXTENSIONS, ExportPolicy, remove_files, revoke_export
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.messages import write_to_requester
from bot.cases.notices import Download
from bot.cases.queue import urgency
from bot.cases.readable import actor_label, describe_event, request_items, status_change, transcript_view
from bot.cases.tickets import EXPORT_TYPES, OPEN_STATUSES, find_ticket
from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import OutboxMessage
from bot.validation import clean_text
from handlers.console.auth import ConsoleUser, ConsoleUserDep, FormUserDep
from handlers.console.render import NO_STORE, ConsolePageRoute, page
from handlers.deps import Services, ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsolePageRoute, include_in_schema=False)
DONE = {
    "assign": "The ticket has been assigned.",
    "start": "Work has started: the ticket is in progress.",
    "extend": "The due date has been extended. The requester is being told, with your reason.",
    "complete": "The ticket is completed. The requester is being sent your resolution note.",
    "reject": "The request has been rejected. The requester is being told why, and of their right to complain.",
    "note": "Your note has been added.",
    "message": "Your message is on its way to the requester.",
    "export": "The export is stored and the requester is being sent a download link that only they can use.",
    "revoked": "The download link no longer works and its file has been deleted.",
}
TextField = Annotated[str, Form(max_length=5000)]


def _extension_block(case: CaseFile, today: date) -> str | None:
    """Why the extend form is not offered, or None when it is."""
    ticket = case.ticket
    if ticket.status not in OPEN_STATUSES:
        return None
    if ticket.extended_at is not None:
        months = "1 month" if ticket.extension_months == 1 else f"{ticket.extension_months} months"
        return f"Already extended once (by {months}); it cannot be extended again."
    if today > ticket.due_date:
        return "Past its due date: it can no longer be extended."
    return None


def render_ticket(
    request: Request,
    services: Services,
    user: ConsoleUser,
    reference: str,
    *,
    status: int = 200,
    error: str | None = None,
    failed: dict[str, Any] | None = None,
) -> Response:
    now = services.clock()
    today = now.date()
    with services.db.read() as session:
        case = load_case(session, reference)
        agents = list_agents(session, active_only=True)
    ticket = case.ticket
    blocked = _extension_block(case, today)
    assignee_id = case.assignee.id if case.assignee else None
    settings = services.settings
    done = DONE.get(request.query_params.get("done", "")) if status == 200 else None
    return page(
        request,
        "ticket.html",
        status=status,
        user=user,
        section="queue",
        case=case,
        ticket=ticket,
        agents=agents,
        today=today,
        days_left=(ticket.due_date - today).days,
        urgency=urgency(ticket, today),
        is_open=ticket.status in OPEN_STATUSES,
        extension_blocked=blocked,
        done=done,
        error=error,
        failed=failed or {},
        summary=request_items(ticket),
        entries=transcript_view(case.transcript),
        events=[(e, actor_label(e.actor), describe_event(e), status_change(e)) for e in case.events],
        mine=assignee_id is not None and assignee_id == user.agent.id,
        other_agents=[a for a in agents if a.id != assignee_id],
        fields={k: v for k, v in ticket.details.items() if k != "summary"},
        now=now,
        takes_export=ticket.type in EXPORT_TYPES and ticket.status in ("in_progress", "completed"),
        is_export_type=ticket.type in EXPORT_TYPES,
        export_accept=",".join(f".{EXTENSIONS[t]}" for t in settings.EXPORT_CONTENT_TYPES),
        export_kinds=", ".join(EXTENSIONS[t].upper() for t in settings.EXPORT_CONTENT_TYPES),
        export_max_mb=settings.EXPORT_MAX_MB,
        link_days=settings.EXPORT_LINK_DAYS,
    )


@router.get("/console/tickets/{reference}")
def ticket_page(reference: str, request: Request, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """Requester, verification, details, transcript, audit trail, notes and the actions."""
    return render_ticket(request, services, user, reference)


@router.get("/console/tickets/{reference}/record.json")
def ticket_record(reference: str, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """The ticket's full record (with transcript, audit trail and notes) as a JSON download."""
    with services.db.read() as session:
        case = load_case(session, reference)
    record = case_record(case, today=services.clock().date())
    log.info("console JSON export of ticket %s by agent %s", case.ticket.reference, user.agent.id)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{case.ticket.reference}.json"'}
    return Response(json.dumps(record, indent=2, ensure_ascii=False), media_type="application/json", headers=headers)


# They close the ticket and tell the requester: the agent sees the notice (of this kind) first.
CONFIRMED = {"complete": "completed", "reject": "rejected"}
EXPORT_LINK_PLACEHOLDER = "[the download link: made when you upload the file]"


class _Rollback(Exception):
    """Ends a dry run: the transaction is rolled back, nothing is stored or sent."""


def _parse_months(months: str) -> int | None:
    try:
        return int(months) if months.strip() else None
    except ValueError:
        raise InvalidInput("An extension is one or two months.") from None


def _dry_run(
    services: Services, user: ConsoleUser, reference: str, *, export: bool = False, **fields: Any
) -> OutboxMessage | None:
    """Apply the action in a transaction that is rolled back, and return (a copy of) the notice it
    would queue: the preview is exactly what the requester will receive. Completing with an export
    previews the link as a placeholder: it exists only once the file is uploaded."""
    found: list[OutboxMessage] = []
    now = services.clock()
    try:
        with services.db.write() as session:
            last = session.exec(select(func.max(OutboxMessage.id))).one() or 0
            if export:
                ticket = find_ticket(session, reference, lock=True)
                link = Download(EXPORT_LINK_PLACEHOLDER, now + timedelta(days=services.settings.EXPORT_LINK_DAYS))
                request = ActionRequest("complete", note=clean_text(fields.get("note") or ""), download=link)
                apply_action(session, ticket, request, actor=actor_for(user.agent), now=now)
            else:
                ticket = perform_action(session, reference=reference, actor=user.agent, now=now, **fields)
            queued = session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.ticket_id == ticket.id,
                    OutboxMessage.kind == CONFIRMED[fields["action"]],
                    col(OutboxMessage.id) > last,
                )
            ).first()
            if queued is not None:
                found.append(OutboxMessage(**queued.model_dump(exclude={"id"})))
            raise _Rollback
    except _Rollback:
        pass
    return found[0] if found else None


def _confirm_page(
    request: Request,
    services: Services,
    user: ConsoleUser,
    reference: str,
    notice: OutboxMessage | None,
    *,
    upload: bool = False,
    **form: str,
) -> Response:
    with services.db.read() as session:
        case = load_case(session, reference)
    email = notice is not None and notice.channel == "email"
    text = ""
    if notice is not None:
        rendered = services.mail.render_message(notice) if email and services.mail else None
        text = rendered.text if rendered is not None else notice.body
    return page(
        request,
        "confirm.html",
        user=user,
        section="queue",
        ticket=case.ticket,
        notice=notice,
        by_email=email,
        text=text,
        form=form,
        upload=upload,
        export_accept=",".join(f".{EXTENSIONS[t]}" for t in services.settings.EXPORT_CONTENT_TYPES),
        export_kinds=", ".join(EXTENSIONS[t].upper() for t in services.settings.EXPORT_CONTENT_TYPES),
        export_max_mb=services.settings.EXPORT_MAX_MB,
    )


@router.post("/console/tickets/{reference}/actions")
def ticket_action(
    reference: str,
    request: Request,
    services: ServicesDep,
    user: FormUserDep,
    action: Annotated[str, Form(max_length=20)] = "",
    note: TextField = "",
    reason: TextField = "",
    months: Annotated[str, Form(max_length=4)] = "",
    assignee: Annotated[str, Form(max_length=320)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Apply one action; complete and reject first show the notice the requester will receive and
    wait for a confirmation. A refusal re-renders the page with the reason and the agent's input kept."""
    failed = {"action": action, "note": note, "reason": reason, "months": months, "assignee": assignee}
    try:
        if action not in AGENT_ACTIONS:
            raise InvalidInput("Choose one of the actions on this page.")
        fields: dict[str, Any] = {
            "action": action,
            "note": note or None,
            "reason": reason or None,
            "months": _parse_months(months),
            "assignee_email": assignee.strip() or None,
        }
        if action in CONFIRMED and confirm == "edit":
            return render_ticket(request, services, user, reference, failed=failed)
        if action in CONFIRMED and confirm != "yes":
            with services.db.read() as session:
                upload = action == "complete" and find_ticket(session, reference).type in EXPORT_TYPES
            notice = _dry_run(services, user, reference, export=upload, **fields)
            return _confirm_page(
                request, services, user, reference, notice, upload=upload, action=action, note=note, reason=reason
            )
        with services.db.write() as session:
            ticket = perform_action(session, reference=reference, actor=user.agent, now=services.clock(), **fields)
            reference = ticket.reference
    except (InvalidInput, TransitionRefused) as exc:
        return render_ticket(request, services, user, reference, status=exc.status, error=exc.message, failed=failed)
    services.outbox.kick()
    return RedirectResponse(f"/console/tickets/{reference}?done={action}#status", status_code=303, headers=NO_STORE)


@router.post("/console/tickets/{reference}/notes")
def ticket_note(
    reference: str, request: Request, services: ServicesDep, user: FormUserDep, text: TextField = ""
) -> Response:
    """Add an internal note."""
    try:
        with services.db.write() as session:
            add_note(session, reference=reference, author=user.agent, text=text, now=services.clock())
    except InvalidInput as exc:
        return render_ticket(
            request,
            services,
            user,
            reference,
            status=exc.status,
            error=exc.message,
            failed={"action": "note", "text": text},
        )
    return RedirectResponse(
        f"/console/tickets/{reference.strip().upper()}?done=note#notes", status_code=303, headers=NO_STORE
    )


@router.post("/console/tickets/{reference}/messages")
def ticket_message(
    reference: str,
    request: Request,
    services: ServicesDep,
    user: FormUserDep,
    text: TextField = "",
    expects_reply: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Write to the requester (through their channel); a question marks the ticket as waiting for them."""
    try:
        with services.db.write() as session:
            write_to_requester(
                session,
                reference=reference,
                author=user.agent,
                text=text,
                now=services.clock(),
                expects_reply=expects_reply == "yes",
            )
    except (InvalidInput, TransitionRefused) as exc:
        failed = {"action": "message", "text": text, "expects_reply": expects_reply}
        return render_ticket(request, services, user, reference, status=exc.status, error=exc.message, failed=failed)
    services.outbox.kick()
    return RedirectResponse(
        f"/console/tickets/{reference.strip().upper()}?done=message#messages", status_code=303, headers=NO_STORE
    )


@router.post("/console/tickets/{reference}/exports/{export_id}/revoke")
def ticket_revoke_export(
    reference: str, export_id: int, request: Request, services: ServicesDep, user: FormUserDep
) -> Response:
    """Withdraw a download link at once and delete its file."""
    try:
        with services.db.write() as session:
            export = revoke_export(
                session, reference=reference, export_id=export_id, agent=user.agent, now=services.clock()
            )
    except (InvalidInput, TransitionRefused) as exc:
        return render_ticket(request, services, user, reference, status=exc.status, error=exc.message)
    remove_files(ExportPolicy.from_settings(services.settings).directory, [export.stored_name])
    log.info("export %s of %s revoked by agent %s", export_id, reference.strip().upper()[:20], user.agent.id)
    return RedirectResponse(
        f"/console/tickets/{reference.strip().upper()}?done=revoked#exports", status_code=303, headers=NO_STORE
    )
