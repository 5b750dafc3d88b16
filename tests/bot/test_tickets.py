"""The ticket store on SQLite and PostgreSQL: references, due dates, audit, concurrency."""

from __future__ import annotations

import multiprocessing
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import func, select

from bot.cases.tickets import add_months, create_ticket, due_date_for, get_ticket, new_reference, requester_tickets
from bot.store.db import Database
from bot.store.models import AuditEvent, Ticket
from bot.types import Requester

ALICE = Requester(email="alice@example.com", name="Alice Example", verified_via="email_code")
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2026, 5, 31), date(2026, 6, 30)),
    ],
)
def test_due_date_is_one_calendar_month_later(received: date, due: date) -> None:
    assert due_date_for(datetime.combine(received, datetime.min.time(), tzinfo=UTC)) == due


def test_extension_months_clamp_to_month_end() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def test_references_are_readable() -> None:
    references = {new_reference() for _ in range(500)}
    assert len(references) == 500
    assert all(re.fullmatch(r"PRV-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", r) for r in references)


def test_create_ticket_writes_ticket_and_audit(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    with db.write() as session:
        ticket = create_ticket(
            session,
            type="deletion",
            requester=ALICE,
            verified_at=NOW,
            channel="web",
            details={"scope": "everything"},
            now=NOW,
            company="Acme",
        )
        reference = ticket.reference
    with db.read() as session:
        stored = get_ticket(session, reference.lower())
        assert stored is not None
        assert (stored.status, stored.due_date, stored.requester_company) == ("open", date(2026, 2, 28), "Acme")
        events = session.exec(select(AuditEvent).where(AuditEvent.ticket_id == stored.id)).all()
        assert [(e.action, e.to_status, e.actor) for e in events] == [("created", "open", "requester")]
        assert [t.reference for t in requester_tickets(session, ALICE)] == [reference]
        assert requester_tickets(session, Requester(email="bob@example.com", verified_via="email_code")) == []
    db.dispose()


def test_unverified_requester_gets_no_ticket(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    with pytest.raises(ValueError, match="verified requester"), db.write() as session:
        create_ticket(
            session,
            type="deletion",
            requester=Requester(email="x@example.com"),
            verified_at=NOW,
            channel="web",
            details={},
            now=NOW,
        )
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 0
    db.dispose()


def test_migrate_twice_concurrently_is_safe(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        pool.map(_migrate, [database_url] * 3)
    db = Database(database_url)
    assert db.ping()
    db.dispose()


def _migrate(url: str) -> None:
    Database(url).migrate()


def _create_many(args: tuple[str, int, int]) -> list[str]:
    url, worker, count = args
    db = Database(url, pool_size=2)
    references = []
    for i in range(count):
        requester = Requester(email=f"user{worker}-{i}@example.com", name="Load Test", verified_via="email_code")
        with db.write() as session:
            ticket = create_ticket(
                session,
                type="objection",
                requester=requester,
                verified_at=NOW,
                channel="web",
                details={"grounds": "load"},
                now=NOW,
            )
            references.append(ticket.reference)
    db.dispose()
    return references


@pytest.mark.slow
@pytest.mark.parametrize("total", [200, 1000])
def test_concurrent_creations_from_several_processes(database_url: str, total: int) -> None:
    """Issue #3 asks for 200, issue #7 for 1,000: every one stored, distinct, audited, none locked out."""
    db = Database(database_url)
    db.migrate()
    context = multiprocessing.get_context("spawn")
    workers = 5
    with context.Pool(workers) as pool:
        batches = pool.map(_create_many, [(database_url, w, total // workers) for w in range(workers)])
    references = [r for batch in batches for r in batch]
    assert len(references) == len(set(references)) == total
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == total
        assert session.exec(select(func.count(func.distinct(Ticket.reference)))).one() == total
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == total
    db.dispose()
