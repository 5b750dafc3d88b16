"""The Reports page, its CSV and GET /api/agent/reports on the seeded month (figures: tests/bot/test_reports.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.access.agents import get_agent_by_email
from bot.access.sessions import issue_api_token
from tests.factories import REPORT_PERIOD, REPORT_TODAY, FakeClock, seed_report_data
from tests.handlers.console.conftest import ADMIN, AGENT

QUERY = f"from={REPORT_PERIOD[0]}&to={REPORT_PERIOD[1]}"


@pytest.fixture
def seeded(services: Any, clock: FakeClock) -> Any:
    clock.now = datetime.fromisoformat(REPORT_TODAY).replace(hour=12, tzinfo=UTC)
    with services.db.read() as session:
        ids = {
            role: get_agent_by_email(session, email).id for role, email in (("agent", AGENT[0]), ("admin", ADMIN[0]))
        }  # type: ignore[union-attr]
    seed_report_data(services.db, agent_ids=ids)
    return services


@pytest.fixture
def api(web: TestClient, seeded: Any) -> TestClient:
    with seeded.db.write() as session:
        agent = get_agent_by_email(session, AGENT[0])
        assert agent is not None
        token, _ = issue_api_token(session, agent, now=seeded.clock())
    web.headers["Authorization"] = f"Bearer {token}"
    return web


def test_the_api_gives_the_pages_figures(api: TestClient) -> None:
    response = api.get(f"/api/agent/reports?{QUERY}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["type"]) == ("2026-03-02", "2026-03-29", None)
    assert body["received"] == 8 and body["received_by_type"]["deletion"] == 3
    assert [(w["week"], w["total"]) for w in body["received_by_week"]] == [
        ("2026-03-02", 3),
        ("2026-03-09", 2),
        ("2026-03-16", 1),
        ("2026-03-23", 2),
    ]
    assert body["completion"] == {
        "closed": 6,
        "on_time": 5,
        "on_time_rate": 0.8333,
        "median_days": 15.0,
        "p90_days": 48.0,
    }
    assert [b["count"] for b in body["open_by_age"]] == [2, 1, 1, 0, 1]
    assert body["extensions"] == {"total": 2, "one_month": 1, "two_months": 1}
    assert body["workload"][-1] == {
        "agent": None,
        "open": 3,
        "in_progress": 0,
        "waiting_for_requester": 0,
        "overdue": 0,
        "closed": 0,
    }
    assert response.headers["cache-control"] == "no-store"


def test_the_api_filters_by_type_defaults_to_twelve_weeks_and_refuses_bad_input(api: TestClient) -> None:
    deletions = api.get(f"/api/agent/reports?{QUERY}&type=deletion").json()
    assert deletions["received"] == 3 and list(deletions["received_by_type"]) == ["deletion"]
    default = api.get("/api/agent/reports").json()
    assert (default["from"], default["to"]) == ("2026-01-12", "2026-04-01")  # 12 weeks, this one included
    for query in ("from=2026-04-01&to=2026-03-01", "type=spam", "from=yesterday", "from=2020-01-01"):
        refused = api.get(f"/api/agent/reports?{query}")
        assert refused.status_code == 422 and "error" in refused.json(), query


def test_reports_need_a_token(web: TestClient, seeded: Any) -> None:
    assert web.get("/api/agent/reports").status_code == 401


def test_the_page_draws_charts_and_tables(seeded: Any, agent_web: TestClient) -> None:
    page = agent_web.get(f"/console/reports?{QUERY}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert len(re.findall(r'<svg class="chart"[^>]*role="img"', html)) == 3
    assert '<title id="chart-weeks-title">Requests received per week, by type</title>' in html
    assert "Week of 2026-03-02: Deletion (erasure) 2" in html  # a bar's own title
    assert "83 %" in html and "5 of 6" in html and "48.0" in html
    assert "<script" not in html  # no JavaScript
    assert 'aria-current="page"' in html and ">Reports</a>" in html


def test_the_page_says_what_is_wrong_with_a_bad_period(seeded: Any, agent_web: TestClient) -> None:
    page = agent_web.get("/console/reports?from=2026-04-01&to=2026-03-01")
    assert page.status_code == 422 and "must not be after its end" in page.text


def test_the_csv_export(seeded: Any, agent_web: TestClient) -> None:
    response = agent_web.get(f"/console/reports.csv?{QUERY}&type=deletion")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="privacy-report-2026-03-02-to-2026-03-29.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0] == ["figure", "group", "detail", "value"]
    assert ["requests received", "whole period", "deletion", "3"] in rows
    assert ["days to close", "whole period", "90th percentile", "19.0"] in rows


def test_the_page_needs_a_sign_in(web: TestClient, seeded: Any) -> None:
    response = web.get("/console/reports")
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


def test_the_charts_stay_inside_their_frames(seeded: Any) -> None:
    from datetime import date

    from bot.cases.reports import ReportFilter, build_report
    from handlers.console.charts import TOP, age_chart, completion_chart, weekly_chart

    period = ReportFilter(start=date.fromisoformat(REPORT_PERIOD[0]), end=date.fromisoformat(REPORT_PERIOD[1]))
    with seeded.db.read() as session:
        report = build_report(session, period, today=date.fromisoformat(REPORT_TODAY))
    weekly, ages, completion = weekly_chart(report), age_chart(report), completion_chart(report)
    assert (weekly.width, weekly.height) == (960, 280) and (ages.width, ages.height) == (420, 240)
    for chart, bars in ((weekly, 7), (ages, 5), (completion, 2)):  # one bar per non-zero type and week
        assert len(chart.bars) == bars
        for bar in chart.bars:
            assert chart.left <= bar.x and bar.x + bar.width <= chart.right
            assert bar.y >= TOP - 0.1 and bar.y + bar.height <= chart.bottom + 0.1
    # Stacked: the week of 2026-03-02 (3 requests) reaches three fifths of the way up a 0 to 5 axis.
    first_week = [b for b in weekly.bars if "2026-03-02" in b.label]
    assert round(sum(b.height for b in first_week), 1) == round((weekly.bottom - TOP) * 3 / 5, 1)
    assert [t.label for t in weekly.y_ticks] == ["0", "1", "2", "3", "4", "5"]
