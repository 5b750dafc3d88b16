"""The agent JSON API under /api/agent/: the queue, one ticket, actions and notes (bearer tokens)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette import status

from bot.cases.casework import CaseFile, add_note, load_case, perform_action
from bot.cases.queue import MAX_PER_PAGE, PER_PAGE, SORTS, STATUS_FILTERS, dashboard, list_tickets, to_public
from bot.flows import TYPE_LABELS
from bot.store.models import TicketsPublic
from handlers.console.auth import ApiAgentDep
from handlers.console.filters import queue_filter
from handlers.console.schemas import (
    ActionIn,
    AuditEventPublic,
    DashboardPublic,
    ErrorOut,
    NoteIn,
    NotePublic,
    TicketDetailPublic,
)
from handlers.deps import ServicesDep

router = APIRouter(prefix="/api/agent", tags=["agent"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing, unknown or revoked API token"},
    404: {"model": ErrorOut, "description": "No ticket with that reference"},
    409: {"model": ErrorOut, "description": "The lifecycle does not allow that action now (the message says why)"},
    422: {"model": ErrorOut, "description": "Missing or invalid fields (the message says which)"},
}


def _detail(case: CaseFile, today: date) -> TicketDetailPublic:
    ticket = to_public(case.ticket, case.assignee.email if case.assignee else None, today)
    return TicketDetailPublic(
        **ticket.model_dump(),
        events=[AuditEventPublic.model_validate(e, from_attributes=True) for e in case.events],
        notes=[NotePublic(id=n.id or 0, at=n.created_at, author_email=email, text=n.text) for n, email in case.notes],
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
    """One ticket with its audit trail (`events`) and internal `notes`."""
    with services.db.read() as session:
        case = load_case(session, reference)
    return _detail(case, services.clock().date())


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
    return _detail(case, now.date())


@router.post(
    "/tickets/{reference}/notes", response_model=NotePublic, status_code=status.HTTP_201_CREATED, responses=ERRORS
)
def api_add_note(reference: str, body: NoteIn, services: ServicesDep, agent: ApiAgentDep) -> Any:
    """Add an internal note (the audit trail records that a note was added)."""
    with services.db.write() as session:
        note = add_note(session, reference=reference, author=agent, text=body.text, now=services.clock())
    return NotePublic(id=note.id or 0, at=note.created_at, author_email=agent.email, text=note.text)
