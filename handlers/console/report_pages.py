"""The console's Reports page (server-drawn SVG charts and tables) and its CSV export; the same figures
are `GET /api/agent/reports` (handlers/console/api.py)."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from bot.cases.queue import csv_safe
from bot.cases.reports import ReportFilter, build_report, report_rows
from bot.errors import InvalidInput
from handlers.console.auth import ConsoleUserDep
from handlers.console.charts import age_chart, completion_chart, series_class, weekly_chart
from handlers.console.render import NO_STORE, ConsolePageRoute, page
from handlers.deps import ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsolePageRoute, include_in_schema=False)


def _date(value: str | None, name: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{name}' is a date like 2026-03-31.") from None


def report_filter(params: Mapping[str, str], *, today: date) -> ReportFilter:
    """The filter from a query string (`from`, `to`, `type`); empty means the default."""
    kind = (params.get("type") or "").strip() or None
    default = ReportFilter.default(today, kind)
    start = _date(params.get("from"), "from") or default.start
    end = _date(params.get("to"), "to") or today
    return ReportFilter(start=start, end=end, type=kind)


def _query(report_filter: ReportFilter) -> str:
    values = {"from": report_filter.start.isoformat(), "to": report_filter.end.isoformat(), "type": report_filter.type}
    return urlencode({k: v for k, v in values.items() if v})


@router.get("/console/reports")
def reports_page(request: Request, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """How the team is doing: received by week, on time, days to close, open by age, extensions, workload."""
    today = services.clock().date()
    chosen = report_filter(request.query_params, today=today)
    with services.db.read() as session:
        report = build_report(session, chosen, today=today)
    return page(
        request,
        "reports.html",
        user=user,
        section="reports",
        report=report,
        weekly=weekly_chart(report),
        ages=age_chart(report),
        completion=completion_chart(report),
        series_class=series_class,
        csv_link="/console/reports.csv?" + _query(chosen),
    )


@router.get("/console/reports.csv")
def reports_csv(request: Request, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """The same figures as tidy CSV rows: figure, group, detail, value."""
    today = services.clock().date()
    chosen = report_filter(request.query_params, today=today)
    with services.db.read() as session:
        report = build_report(session, chosen, today=today)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([csv_safe(v) for v in row] for row in report_rows(report))
    log.info("console report CSV by agent %s", user.agent.id)
    name = f"privacy-report-{chosen.start.isoformat()}-to-{chosen.end.isoformat()}.csv"
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
