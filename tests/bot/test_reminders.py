"""Deadline reminders and the daily digest: each sent once, across two processes sharing one database,
after an outage, and on the schedule the settings give."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app import create_app
from bot.access.agents import get_agent_by_email, set_digest
from bot.cases.casework import perform_action
from bot.cases.scheduler import JOB, Scheduler
from bot.store.models import AuditEvent, DeadlineReminder, OutboxMessage, SchedulerLease, Ticket
from tests.factories import FakeClock
from tests.handlers.console.conftest import ADMIN, AGENT, add_agent, add_ticket
from tests.handlers.slack.fake_slack import wait_until

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
OTHER_ADMIN = ("second-admin@example.com", "admin-password-456")


def at(day: str, clock_time: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock_time}:00+00:00")


@pytest.fixture
def two(make_services: Any, make_settings: Any, database_url: str) -> tuple[Any, Any]:
    """Two app processes' Services on one database (each its own engine and scheduler)."""
    settings = make_settings(DATABASE_URL=database_url)
    first, second = make_services(settings), make_services(settings)
    add_agent(first, *ADMIN, role="admin")
    add_agent(first, *OTHER_ADMIN, role="admin")
    add_agent(first, *AGENT)
    return first, second


def assign(services: Any, reference: str, email: str = AGENT[0]) -> None:
    with services.db.write() as session:
        agent = get_agent_by_email(session, email)
        assert agent is not None
        perform_action(session, reference=reference, action="assign", actor=agent, now=services.clock())


def reminders(services: Any) -> list[tuple[str, str]]:
    """(reference, threshold) of every reminder sent, in order."""
    with services.db.read() as session:
        rows = session.exec(
            select(Ticket.reference, DeadlineReminder.threshold)
            .join(Ticket, col(Ticket.id) == DeadlineReminder.ticket_id)
            .where(col(DeadlineReminder.sent).is_(True))
            .order_by(col(DeadlineReminder.id))
        ).all()
    return [(r, t) for r, t in rows]


def queued(services: Any, kind: str = "agent_reminder") -> list[OutboxMessage]:
    with services.db.read() as session:
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(col(OutboxMessage.id)))
        )


def run_both(first: Any, second: Any, rounds: int = 3) -> list[tuple[str, Any]]:
    """Both processes' schedulers at once, a few times over; (which process, its report) of the runs made."""

    def run(services: Any) -> tuple[str, Any]:
        return services.scheduler.holder, services.scheduler.run_once()

    with ThreadPoolExecutor(2) as pool:
        results = [r for _ in range(rounds) for r in pool.map(run, (first, second))]
    return [(holder, report) for holder, report in results if report is not None]


def test_reminders_at_7_and_2_days_and_overdue_go_once_each_across_two_processes(
    two: tuple[Any, Any], clock: FakeClock
) -> None:
    first, second = two
    mine = add_ticket(first, email="a@example.com")  # due 2026-04-10, assigned
    assign(first, mine)
    unassigned = add_ticket(first, email="b@example.com", received=START + timedelta(days=2))  # due 2026-04-12

    for day, expected in [
        ("2026-04-03", [(mine, "due_in_7")]),
        ("2026-04-05", [(unassigned, "due_in_7")]),
        ("2026-04-08", [(mine, "due_in_2")]),
        ("2026-04-10", [(unassigned, "due_in_2")]),
        ("2026-04-11", [(mine, "overdue")]),
        ("2026-04-13", [(unassigned, "overdue")]),
        ("2026-04-14", []),
    ]:
        before = len(reminders(first))
        clock.now = at(day)
        ran = run_both(first, second)
        assert len({holder for holder, _ in ran}) == 1, "one runner: the lease keeps the other process out"
        assert reminders(first)[before:] == expected, day
    assert Counter(reminders(second)) == Counter(
        {(ref, t): 1 for ref in (mine, unassigned) for t in ("due_in_7", "due_in_2", "overdue")}
    )
    # The assignee by e-mail; the unassigned ticket to the admins (no Slack channel here).
    messages = queued(first)
    assert Counter(m.recipient for m in messages if m.payload["reference"] == mine) == {AGENT[0]: 3}
    assert Counter(m.recipient for m in messages if m.payload["reference"] == unassigned) == {
        ADMIN[0]: 3,
        OTHER_ADMIN[0]: 3,
    }
    overdue = next(m for m in messages if m.payload["reference"] == mine and "overdue" in m.subject)
    assert "is 1 day overdue" in overdue.body and "a@example.com" not in overdue.body
    with first.db.read() as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "reminder")).all()
    assert len(audited) == 6 and {e.actor for e in audited} == {"system"}


def test_even_two_runners_without_the_lease_send_each_reminder_once(two: tuple[Any, Any], clock: FakeClock) -> None:
    first, second = two

    class Unleashed(Scheduler):
        def acquire(self, now: datetime) -> bool:
            return True  # both run: only the unique keys stand between them and a duplicate

    runners = [
        Unleashed(services.db, clock=clock, policy=services.scheduler.policy, holder=name)
        for services, name in ((first, "p1"), (second, "p2"))
    ]
    references = [add_ticket(first, email=f"r{n}@example.com") for n in range(5)]
    clock.now = at("2026-04-03")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda runner: runner.run_once(), runners * 3))
    assert sorted(reminders(first)) == sorted((ref, "due_in_7") for ref in references)
    assert len(queued(first)) == 5 * 2  # one reminder per ticket, to each of the two admins


def test_after_an_outage_one_run_sends_each_due_reminder_once_and_the_most_urgent(
    two: tuple[Any, Any], clock: FakeClock
) -> None:
    first, second = two
    late = add_ticket(first, email="late@example.com")  # due 2026-04-10
    soon = add_ticket(first, email="soon@example.com", received=START + timedelta(days=10))  # due 2026-04-20
    later = add_ticket(first, email="later@example.com", received=START + timedelta(days=15))  # due 2026-04-25
    clock.now = at("2026-04-19")  # every process was down since the tickets came in
    ran = run_both(first, second)
    assert len({holder for holder, _ in ran}) == 1 and sum(report.reminders for _, report in ran) == 3
    assert sorted(reminders(first)) == sorted([(late, "overdue"), (soon, "due_in_2"), (later, "due_in_7")])
    with first.db.read() as session:
        passed = session.exec(select(DeadlineReminder).where(col(DeadlineReminder.sent).is_(False))).all()
    assert len(passed) == 3  # late's 7- and 2-day, soon's 7-day: recorded, never sent stale
    overdue = next(m for m in queued(first) if m.payload["reference"] == late)
    assert "is 9 days overdue" in overdue.subject
    assert sum(report.reminders for _, report in run_both(first, second)) == 0
    clock.now = at("2026-04-23")
    assert sum(report.reminders for _, report in run_both(first, second)) == 2  # soon overdue, later due in 2
    assert sorted(reminders(first)[-2:]) == sorted([(later, "due_in_2"), (soon, "overdue")])


def test_reminders_wait_for_their_time_of_day_and_an_extension_rearms_them(
    make_services: Any, make_settings: Any, clock: FakeClock
) -> None:
    services = make_services(make_settings(REMINDER_TIME="10:30", REMINDER_DAYS="5"))
    add_agent(services, *ADMIN, role="admin")
    reference = add_ticket(services)  # due 2026-04-10
    clock.now = at("2026-04-05", "10:29")
    assert services.scheduler.run_once().reminders == 0
    clock.now = at("2026-04-05", "10:30")
    assert services.scheduler.run_once().reminders == 1 and reminders(services) == [(reference, "due_in_5")]
    with services.db.write() as session:
        admin = get_agent_by_email(session, ADMIN[0])
        assert admin is not None
        perform_action(
            session, reference=reference, action="extend", actor=admin, now=clock(), months=1, reason="Backups"
        )
    clock.now = at("2026-05-05", "11:00")  # five days before the new due date, 2026-05-10
    assert services.scheduler.run_once().reminders == 1
    assert reminders(services) == [(reference, "due_in_5"), (reference, "due_in_5")]


def test_the_daily_digest_goes_once_a_day_to_the_channel_and_admins_who_opted_in(
    make_services: Any, make_settings: Any, clock: FakeClock
) -> None:
    services = make_services(make_settings(SLACK_AGENT_CHANNEL="CAGENTS", DIGEST_TIME="08:00"))
    add_agent(services, *ADMIN, role="admin")
    add_agent(services, *OTHER_ADMIN, role="admin")
    with services.db.write() as session:
        admin = get_agent_by_email(session, ADMIN[0])
        assert admin is not None and admin.id is not None
        set_digest(session, agent_id=admin.id, on=True)
    overdue = add_ticket(services, email="o@example.com", received=START - timedelta(days=40))  # due 2026-02-16
    add_ticket(services, email="w@example.com", received=START - timedelta(days=26))  # due 2026-03-13: this week
    add_ticket(services, email="n@example.com")  # due 2026-04-10
    assign(services, overdue, ADMIN[0])

    clock.now = at("2026-03-10", "07:59")
    assert not services.scheduler.run_once().digest
    clock.now = at("2026-03-10", "08:00")
    assert services.scheduler.run_once().digest
    assert not services.scheduler.run_once().digest  # once a day
    sent = queued(services, "agent_digest")
    assert {(m.channel, m.recipient) for m in sent} == {("slack", "CAGENTS"), ("email", ADMIN[0])}
    body = sent[0].body
    assert "• Open: 3 (2 unassigned)" in body and "• Due within 7 days: 1" in body and "• Overdue: 1" in body
    assert f"Overdue: {overdue}" in body and "o@example.com" not in body
    clock.now = at("2026-03-14", "09:00")  # three days without any process: only today's digest
    assert services.scheduler.run_once().digest and len(queued(services, "agent_digest")) == 4


def test_a_stopped_runner_hands_over_at_once_and_a_dead_one_when_its_lease_ends(
    two: tuple[Any, Any], clock: FakeClock
) -> None:
    first, second = two
    assert first.scheduler.run_once() is not None
    assert second.scheduler.run_once() is None
    first.scheduler.stop()  # releases the lease
    assert second.scheduler.run_once() is not None
    assert first.scheduler.run_once() is None
    clock.advance(seconds=second.scheduler.lease.total_seconds() + 1)  # the runner died without a word
    assert first.scheduler.run_once() is not None


def test_the_app_runs_the_scheduler_in_the_background(make_services: Any, make_settings: Any, clock: FakeClock) -> None:
    services = make_services(make_settings(SCHEDULER_ENABLED=True, SCHEDULER_POLL_SECONDS=0.1))
    add_agent(services, *ADMIN, role="admin")
    reference = add_ticket(services, received=START - timedelta(days=35))  # overdue
    with TestClient(create_app(services.settings, services=services)):
        wait_until(lambda: reminders(services), what="the background scheduler's reminder")
    assert reminders(services) == [(reference, "overdue")]
    with services.db.read() as session:
        lease = session.get(SchedulerLease, JOB)
    assert lease is not None and lease.lease_until < clock()  # released at shutdown
