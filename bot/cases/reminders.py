"""Deadline reminders and the daily digest: what the scheduler sends, each exactly once.

A ticket's reminders fire when its due date is `days_before` away (7 and 2 by default) and once it
is overdue, from `reminder_time` (UTC) on the day each is reached. Each is recorded in
`deadline_reminder` under a unique (ticket, threshold, due date) key, inserted before anything is
queued, so a second runner or a repeated run can never send it twice; an extension moves the due
date and so re-arms them. A run that comes late (every process was down) sends, per ticket, the
most urgent reminder reached — "overdue", not a stale "due in 7 days" — and records the ones it
passed as superseded. The digest goes once a day (its day is the key) from `digest_time` on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.cases.notices import DigestFigures, deadline_reminder, digest
from bot.cases.team import admins, tell_team
from bot.cases.tickets import OPEN_STATUSES, record_event
from bot.store.models import DailyDigest, DeadlineReminder, Ticket
from bot.store.outbox import enqueue

OVERDUE = "overdue"


@dataclass(frozen=True)
class ReminderPolicy:
    """The settings the scheduler works by."""

    days_before: tuple[int, ...] = (7, 2)
    reminder_time: time = time(8, 0)
    digest_time: time = time(8, 0)
    agent_channel: str | None = None
    public_url: str = "http://127.0.0.1:8000"

    def reached(self, days_left: int) -> list[str]:
        """The thresholds a ticket with `days_left` has reached, least urgent first."""
        names = [f"due_in_{days}" for days in sorted(self.days_before, reverse=True) if days_left <= days]
        return [*names, OVERDUE] if days_left < 0 else names


def reminder_day(now: datetime, at: time) -> date:
    """The day whose reminders are due now: today from `at` on, yesterday before it."""
    return now.date() if now.time() >= at else now.date() - timedelta(days=1)


def send_reminders(session: Session, *, now: datetime, policy: ReminderPolicy) -> int:
    """Queue every reminder due and not yet recorded; how many were queued."""
    day = reminder_day(now, policy.reminder_time)
    horizon = day + timedelta(days=max(policy.days_before, default=0))
    tickets = session.exec(
        select(Ticket)
        .where(col(Ticket.status).in_(OPEN_STATUSES), col(Ticket.due_date) <= horizon)
        .order_by(col(Ticket.due_date), col(Ticket.id))
    ).all()
    recorded = {
        (r.ticket_id, r.threshold, r.due_date)
        for r in session.exec(
            select(DeadlineReminder).where(col(DeadlineReminder.ticket_id).in_([t.id for t in tickets]))
        )
    }
    queued = 0
    for ticket in tickets:
        reached = policy.reached((ticket.due_date - day).days)
        if not reached or (ticket.id, reached[-1], ticket.due_date) in recorded:
            continue
        urgent = reached[-1]
        try:
            with session.begin_nested():  # another runner's insert first makes ours fail: skip the ticket
                for name in reached:
                    if (ticket.id, name, ticket.due_date) not in recorded:
                        assert ticket.id is not None
                        session.add(
                            DeadlineReminder(
                                ticket_id=ticket.id,
                                threshold=name,
                                due_date=ticket.due_date,
                                sent=name == urgent,
                                created_at=now,
                            )
                        )
                session.flush()
        except IntegrityError:
            continue
        notice = deadline_reminder(
            ticket,
            days_left=(ticket.due_date - now.date()).days,
            public_url=policy.public_url,
            assigned=ticket.assignee_id is not None,
        )
        sent_to = tell_team(session, ticket, notice, kind="agent_reminder", now=now, agent_channel=policy.agent_channel)
        record_event(
            session,
            ticket,
            actor="system",
            action="reminder",
            at=now,
            detail={
                "threshold": urgent,
                "due_date": ticket.due_date.isoformat(),
                "to": "assignee" if ticket.assignee_id else sent_to[0].channel if sent_to else "nobody",
            },
        )
        queued += 1
    return queued


def digest_figures(session: Session, *, today: date) -> DigestFigures:
    """Open, due within a week, overdue, waiting for the requester, unassigned — today."""
    active = col(Ticket.status).in_(OPEN_STATUSES)

    def count(*conditions: ColumnElement[bool]) -> int:
        return int(session.exec(select(func.count()).select_from(Ticket).where(active, *conditions)).one())

    overdue = session.exec(
        select(Ticket.reference)
        .where(active, col(Ticket.due_date) < today)
        .order_by(col(Ticket.due_date), col(Ticket.id))
        .limit(20)
    ).all()
    return DigestFigures(
        day=today,
        open=count(),
        due_this_week=count(col(Ticket.due_date).between(today, today + timedelta(days=7))),
        overdue=count(col(Ticket.due_date) < today),
        waiting_for_requester=count(col(Ticket.awaiting_requester_since).is_not(None)),
        unassigned=count(col(Ticket.assignee_id).is_(None)),
        overdue_references=tuple(overdue),
    )


def send_digest(session: Session, *, now: datetime, policy: ReminderPolicy) -> bool:
    """Today's digest to the agents' channel and the admins who opted in, once; True when queued now.
    A day missed entirely is not sent late: only today's figures are worth reading."""
    today = now.date()
    if now.time() < policy.digest_time or session.get(DailyDigest, today) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DailyDigest(day=today, sent_at=now))
            session.flush()
    except IntegrityError:
        return False
    notice = digest(digest_figures(session, today=today), public_url=policy.public_url)
    recipients = [("slack", policy.agent_channel)] if policy.agent_channel else []
    recipients += [("email", admin.email) for admin in admins(session, digest_only=True)]
    for channel, recipient in recipients:
        enqueue(
            session,
            channel=channel,
            kind="agent_digest",
            recipient=recipient,
            subject=notice.subject,
            body=notice.body,
            now=now,
        )
    return True
