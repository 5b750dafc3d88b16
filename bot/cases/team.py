"""Telling the privacy team about a ticket: the assignee by e-mail; an unassigned ticket in the
agents' Slack channel, or — without Slack — by e-mail to the active admins."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.cases.notices import Notice
from bot.store.models import Agent, OutboxMessage, Ticket
from bot.store.outbox import enqueue


def admins(session: Session, *, digest_only: bool = False) -> list[Agent]:
    """Active admins (only those who opted in to the digest, when asked)."""
    query = select(Agent).where(Agent.role == "admin", col(Agent.active).is_(True)).order_by(col(Agent.email))
    if digest_only:
        query = query.where(col(Agent.digest_opt_in).is_(True))
    return list(session.exec(query))


def tell_team(
    session: Session, ticket: Ticket, notice: Notice, *, kind: str, now: datetime, agent_channel: str | None
) -> list[OutboxMessage]:
    """Queue `notice` for whoever should act on `ticket`; returns what was queued."""
    assignee = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    payload = {"reference": ticket.reference, "type": ticket.type}

    def send(channel: str, to: str) -> OutboxMessage:
        return enqueue(
            session,
            channel=channel,
            kind=kind,
            recipient=to,
            subject=notice.subject,
            body=notice.body,
            now=now,
            ticket_id=ticket.id,
            payload=payload,
        )

    if assignee is not None and assignee.active:
        return [send("email", assignee.email)]
    if agent_channel:
        return [send("slack", agent_channel)]
    return [send("email", admin.email) for admin in admins(session)]
