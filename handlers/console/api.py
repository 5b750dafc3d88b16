"""The agent JSON API under /api/agent/: the queue, one ticket, actions, notes, messages to the
requester, export links and the reports (bearer tokens). Export uploads: handlers/console/uploads.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette import status

from bot.cases.casework import CaseFile, add_note, load_case, perform_action
from bot.cases.exports import ExportPolicy, remove_files, revoke_export
from bot.cases.messages import write_to_requester
from bot.cases.queue import MAX_PER_PAGE, PER_PAGE, SORTS, STATUS_FILTERS, dashboard, list_tickets, to_public
from bot.cases.reports import Report, ReportFilter, build_report
from bot.flows import TYPE_LABELS
from bot.store.models import ExportFile, TicketMessage, TicketsPublic
from handlers.console.auth import ApiAgentDep
from handlers.console.filters import queue_filter
from handlers.console.schemas import (
    ActionIn,
    AgeBucketPublic,
    AuditEventPublic,
    CompletionPublic,
    DashboardPublic,
    ErrorOut,
    ExportPublic,
    ExtensionsPublic,
    MessageIn,
    MessagePublic,
    NoteIn,
    NotePublic,
    ReportPublic,
    TicketDetailPublic,
    WeekPublic,
    WorkloadPublic,
)
from handlers.deps import ServicesDep

router = APIRouter(prefix="/api/agent", tags=["agent"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing, unknown or revoked API token"},
    404: {"model": ErrorOut, "description": "No ticket with that reference"},
    409: {"model": ErrorOut, "description": "The lifecycle does not allow that action now (the message says why)"},
    422: {"model": ErrorOut, "description": "Missing or invalid fields (the message says which)"},
}


def message_public(message: TicketMessage, author_email: str | None) -> MessagePublic:
    return MessagePublic.model_validate(
        message, from_attributes=True, update={"at": message.created_at, "author_email": author_email}
    )


def export_public(export: ExportFile, now: datetime) -> ExportPublic:
    live = export.revoked_at is None and export.deleted_at is None and export.expires_at > now
    return ExportPublic.model_validate(export, from_attributes=True, update={"live": live})


def ticket_detail(case: CaseFile, now: datetime) -> TicketDetailPublic:
    ticket = to_public(case.ticket, case.assignee.email if case.assignee else None, now.date())
    return TicketDetailPublic(
        **ticket.model_dump(),
        events=[AuditEventPublic.model_validate(e, from_attributes=True) for e in case.events],
        notes=[NotePublic(id=n.id or 0, at=n.created_at, author_email=email, text=n.text) for n, email in case.notes],
        messages=[message_public(m, email) for m, email in case.messages],
        exports=[export_public(e, now) for e in case.exports],
    )


@router.get("/tickets", response_model=TicketsPublic, responses=ERRORS)
def api_list_tickets(
    services: ServicesDep,
    agent: ApiAgentDep,
    status_: Annotated[
        str, Query(alias="status", description=f"One of {', '.join(STATUS_FILTERS)} (active = open or in progress)")
    ] = "all",
    type: Annotated[str | None, Query(description=f"One of {', '.join(TYPE_LABELS)}")] = None,
    assignee: Annotated[str | None, Query(description='"me", "none" (unassigned) or an agent\'s e-mail')] = None,
    overdue: Annotated[bool, Query(description="Only open tickets past their due date")] = False,
    due_within: Annotated[
        int | None, Query(ge=0, le=366, description="Only open tickets due within this many days")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Search reference, requester e-mail or name")] = None,
    sort: Annotated[str, Query(description=f"One of {', '.join(SORTS)}")] = "due",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = PER_PAGE,
) -> Any:
    """The queue with the console's filters; `count` is the total across all pages."""
    params = {
        "status": status_,
        "type": type,
        "assignee": assignee,
        "overdue": str(overdue),
        "q": q,
        "sort": sort,
        "due_within": None if due_within is None else str(due_within),
        "page": str(page),
        "per_page": str(per_page),
    }
    queue = queue_filter(params, default_status="all")
    today = services.clock().date()
    with services.db.read() as session:
        result = list_tickets(session, queue, today=today, me_id=agent.id)
    return TicketsPublic(data=[to_public(t, email, today) for t, email in result.rows], count=result.total)


@router.get("/dashboard", response_model=DashboardPublic, responses={401: ERRORS[401]})
def api_dashboard(services: ServicesDep, agent: ApiAgentDep) -> Any:
    """Open tickets by type, overdue, due within 7 days, median days to close."""
    with services.db.read() as session:
        figures = dashboard(session, now=services.clock())
    return DashboardPublic(
        open_by_type=figures.open_by_type,
        open_total=figures.open_total,
        overdue=figures.overdue,
        due_this_week=figures.due_this_week,
        median_days_to_close=figures.median_days_to_close,
    )


@router.get("/tickets/{reference}", response_model=TicketDetailPublic, responses=ERRORS)
def api_get_ticket(reference: str, services: ServicesDep, agent: ApiAgentDep) -> Any:
    """One ticket with its audit trail (`events`), internal `notes`, `messages` with the requester and `exports`."""
    with services.db.read() as session:
        case = load_case(session, reference)
    return ticket_detail(case, services.clock())


@router.post("/tickets/{reference}/actions", response_model=TicketDetailPublic, responses=ERRORS)
def api_act(reference: str, body: ActionIn, services: ServicesDep, agent: ApiAgentDep) -> Any:
    """Apply one action; a refused one changes nothing and answers 409/422 with the reason."""
    now = services.clock()
    with services.db.write() as session:
        perform_action(
            session,
            reference=reference,
            action=body.action,
            actor=agent,
            now=now,
            note=body.note,
            reason=body.reason,
            months=body.months,
            assignee_email=body.assignee,
        )
    services.outbox.kick()
    with services.db.read() as session:
        case = load_case(session, reference)
    return ticket_detail(case, now)


@router.post(
    "/tickets/{reference}/notes", response_model=NotePublic, status_code=status.HTTP_201_CREATED, responses=ERRORS
)
def api_add_note(reference: str, body: NoteIn, services: ServicesDep, agent: ApiAgentDep) -> Any:
    """Add an internal note (the audit trail records that a note was added)."""
    with services.db.write() as session:
        note = add_note(session, reference=reference, author=agent, text=body.text, now=services.clock())
    return NotePublic(id=note.id or 0, at=note.created_at, author_email=agent.email, text=note.text)


@router.post(
    "/tickets/{reference}/messages", response_model=MessagePublic, status_code=status.HTTP_201_CREATED, responses=ERRORS
)
def api_write_to_requester(reference: str, body: MessageIn, services: ServicesDep, agent: ApiAgentDep) -> Any:
    """Write to the requester of an open ticket: a Slack DM for Slack requesters, else an e-mail with the
    reference in the subject (web requesters also see it in the chat when they come back verified). With
    `expects_reply` (the default) the ticket shows "waiting for requester" until they answer; the due date
    does not move. 409 for a closed ticket."""
    with services.db.write() as session:
        message = write_to_requester(
            session,
            reference=reference,
            author=agent,
            text=body.text,
            now=services.clock(),
            expects_reply=body.expects_reply,
        )
    services.outbox.kick()
    return message_public(message, agent.email)


@router.post("/tickets/{reference}/exports/{export_id}/revoke", response_model=ExportPublic, responses=ERRORS)
def api_revoke_export(reference: str, export_id: int, services: ServicesDep, agent: ApiAgentDep) -> Any:
    """Withdraw an export's download link at once; its file is deleted. 409 when it no longer works anyway."""
    now = services.clock()
    with services.db.write() as session:
        export = revoke_export(session, reference=reference, export_id=export_id, agent=agent, now=now)
    remove_files(ExportPolicy.from_settings(services.settings).directory, [export.stored_name])
    return export_public(export, now)


def report_public(report: Report) -> ReportPublic:
    """The JSON of one report (the same figures as the page and the CSV)."""
    return ReportPublic(
        **{"from": report.filter.start},
        to=report.filter.end,
        type=report.filter.type,
        received=report.received,
        received_by_type=report.by_type,
        received_by_week=[WeekPublic(week=w.week, counts=w.counts, total=w.total) for w in report.by_week],
        completion=CompletionPublic(
            closed=report.closed,
            on_time=report.on_time,
            on_time_rate=None if report.on_time_rate is None else round(report.on_time_rate, 4),
            median_days=report.median_days,
            p90_days=report.p90_days,
        ),
        open_by_age=[AgeBucketPublic(bucket=label, count=count) for label, count in report.open_by_age],
        extensions=ExtensionsPublic(
            total=report.extensions_total, one_month=report.extensions.get(1, 0), two_months=report.extensions.get(2, 0)
        ),
        workload=[WorkloadPublic.model_validate(load, from_attributes=True) for load in report.workload],
    )


@router.get("/reports", response_model=ReportPublic, responses={401: ERRORS[401], 422: ERRORS[422]})
def api_reports(
    services: ServicesDep,
    agent: ApiAgentDep,
    from_: Annotated[
        date | None, Query(alias="from", description="First day (YYYY-MM-DD); default: 12 weeks ago")
    ] = None,
    to: Annotated[date | None, Query(description="Last day, included (YYYY-MM-DD); default: today")] = None,
    type: Annotated[str | None, Query(description=f"One of {', '.join(TYPE_LABELS)}")] = None,
) -> Any:
    """The Reports page's figures: requests by type and week, on-time rate, median and 90th-percentile days
    to close, open requests by age, extensions used and per-agent workload."""
    today = services.clock().date()
    default = ReportFilter.default(today, type or None)
    report_filter = ReportFilter(start=from_ or default.start, end=to or today, type=type or None)
    with services.db.read() as session:
        report = build_report(session, report_filter, today=today)
    return report_public(report)
