"""The Reports figures on a seeded month (tests/factories.py), checked against values worked out by hand.

The seeded period is 2026-03-02 … 2026-03-29 (four ISO weeks); today is 2026-04-01.

Received in the period: #1 #2 #11 (week of 03-02), #3 #12 (03-09), #6 (03-16), #7 #9 (03-23; #9 came at
23:30 on the last day, still inside) — 8; #4 #5 #8 came earlier and #10 the day after.
Closed by the team in the period (completed or rejected; #11 was withdrawn): #1 10 days, #2 20, #3 4,
#4 32 (late: due 03-01, closed 03-05), #5 64 (on time thanks to its extension), #12 2 — on time 5 of 6.
Days to close, sorted 2 4 10 20 32 64: median between 10 and 20 = 15.0; 90th percentile at rank
(6 - 1) × 0.9 = 4.5, between 32 and 64 = 48.0.
Open today: #6 (16 days old), #7 (8), #8 (40), #9 (3), #10 (2).
Extensions granted in the period: #7 by one month, #12 by two (#5's was in February).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.access.agents import create_agent
from bot.cases.reports import AgentLoad, ReportFilter, build_report, percentile, report_rows
from bot.errors import InvalidInput
from bot.store.db import Database
from tests.factories import REPORT_PERIOD, REPORT_TODAY, START_OF_REPORTS, seed_report_data

PERIOD = ReportFilter(start=date.fromisoformat(REPORT_PERIOD[0]), end=date.fromisoformat(REPORT_PERIOD[1]))
TODAY = date.fromisoformat(REPORT_TODAY)


@pytest.fixture
def seeded(database_url: str) -> Any:
    db = Database(database_url)
    db.migrate()
    with db.write() as session:
        ids = {
            role: create_agent(
                session, email=f"{role}@example.com", password="a-long-password-1", role=role, now=START_OF_REPORTS
            ).id
            for role in ("agent", "admin")
        }
    seed_report_data(db, agent_ids={k: v for k, v in ids.items() if v is not None})
    yield db
    db.dispose()


def test_the_figures_match_the_hand_computed_ones(seeded: Database) -> None:
    with seeded.read() as session:
        report = build_report(session, PERIOD, today=TODAY)
    weeks = {w.week.isoformat(): {k: v for k, v in w.counts.items() if v} for w in report.by_week}
    assert weeks == {
        "2026-03-02": {"deletion": 2, "marketing_objection": 1},
        "2026-03-09": {"objection": 1, "consent_revocation": 1},
        "2026-03-16": {"deletion": 1},
        "2026-03-23": {"objection": 1, "handoff": 1},
    }
    assert report.received == 8
    assert {k: v for k, v in report.by_type.items() if v} == {
        "deletion": 3,
        "objection": 2,
        "marketing_objection": 1,
        "consent_revocation": 1,
        "handoff": 1,
    }
    assert (report.closed, report.on_time) == (6, 5) and report.on_time_rate == pytest.approx(5 / 6)
    assert (report.median_days, report.p90_days) == (15.0, 48.0)
    assert report.open_by_age == [
        ("0–7 days", 2),
        ("8–14 days", 1),
        ("15–21 days", 1),
        ("22–30 days", 0),
        ("over 30 days", 1),
    ]
    assert report.extensions == {1: 1, 2: 1} and report.extensions_total == 2
    assert report.workload == [
        AgentLoad("admin@example.com", open=0, in_progress=1, waiting_for_requester=0, overdue=1, closed=2),
        AgentLoad("agent@example.com", open=0, in_progress=1, waiting_for_requester=1, overdue=0, closed=4),
        AgentLoad(None, open=3, in_progress=0, waiting_for_requester=0, overdue=0, closed=0),
    ]


def test_one_type_only(seeded: Database) -> None:
    with seeded.read() as session:
        report = build_report(session, ReportFilter(start=PERIOD.start, end=PERIOD.end, type="deletion"), today=TODAY)
    # Deletions: #1 #2 (week of 03-02) and #6 (03-16) received; #1 (10 days) and #2 (20) closed on time;
    # p90 at rank 0.9 between 10 and 20 = 19.0; #6 (16 days) and #10 (2) open.
    assert report.types == ("deletion",) and report.received == 3
    assert [(w.week.isoformat(), w.total) for w in report.by_week] == [
        ("2026-03-02", 2),
        ("2026-03-09", 0),
        ("2026-03-16", 1),
        ("2026-03-23", 0),
    ]
    assert (report.closed, report.on_time, report.median_days, report.p90_days) == (2, 2, 15.0, 19.0)
    assert dict(report.open_by_age) == {
        "0–7 days": 1,
        "8–14 days": 0,
        "15–21 days": 1,
        "22–30 days": 0,
        "over 30 days": 0,
    }
    assert report.extensions_total == 0
    assert [(w.agent, w.open, w.closed) for w in report.workload] == [
        ("admin@example.com", 0, 0),
        ("agent@example.com", 0, 2),
        (None, 2, 0),
    ]


def test_an_empty_period_has_no_rates(seeded: Database) -> None:
    with seeded.read() as session:
        report = build_report(session, ReportFilter(start=date(2025, 1, 6), end=date(2025, 1, 12)), today=TODAY)
    assert report.received == 0 and report.closed == 0
    assert report.on_time_rate is None and report.median_days is None and report.p90_days is None


def test_the_csv_rows_carry_the_same_figures(seeded: Database) -> None:
    with seeded.read() as session:
        rows = list(report_rows(build_report(session, PERIOD, today=TODAY)))
    assert rows[0] == ["figure", "group", "detail", "value"]
    assert ["requests received", "2026-03-02", "deletion", 2] in rows
    assert ["on-time rate", "whole period", "", 0.8333] in rows
    assert ["days to close", "whole period", "90th percentile", 48.0] in rows
    assert ["open by age", "2026-04-01", "over 30 days", 1] in rows
    assert ["workload", "agent@example.com", "closed in period", 4] in rows


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 20.0], 0.9) == pytest.approx(19.0)


@pytest.mark.parametrize(
    ("start", "end", "kind"),
    [(date(2026, 3, 10), date(2026, 3, 1), None), (date(2020, 1, 1), date(2026, 1, 1), None), (TODAY, TODAY, "spam")],
)
def test_a_bad_filter_is_refused(start: date, end: date, kind: str | None) -> None:
    with pytest.raises(InvalidInput):
        ReportFilter(start=start, end=end, type=kind)
