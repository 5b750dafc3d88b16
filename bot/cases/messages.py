"""Messages on a ticket between the privacy team and the requester.

An agent writes (`write_to_requester`): the message goes out through the outbox on the channel the
requester used (a Slack DM, else an e-mail with the reference in the subject), and while it
expects an answer the ticket is "waiting for the requester" (the legal due date does not move).
The chat puts unseen questions to a verified requester (`unseen_questions`, `mark_seen`) and files
their answer (`attach_answer`), which tells the team. Each step is one audit event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.access.agents import actor_for
from bot.cases.notices import requester_answered, team_message
from bot.cases.team import tell_team
from bot.cases.tickets import OPEN_STATUSES, STATUS_LABELS, find_ticket, record_event
from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import Agent, Ticket, TicketMessage
from bot.store.outbox import notify_requester
from bot.types import Requester
from bot.validation import clean_text

MAX_MESSAGE_CHARS = 5000
TO_REQUESTER = "to_requester"
FROM_REQUESTER = "from_requester"


def write_to_requester(
    session: Session, *, reference: str, author: Agent, text: str, now: datetime, expects_reply: bool = True
) -> TicketMessage:
    """An agent's message to the requester of an open ticket, queued for delivery in this transaction."""
    body = clean_text(text or "")
    if not body:
        raise InvalidInput("A message to the requester cannot be empty.")
    if len(body) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"Messages are limited to {MAX_MESSAGE_CHARS} characters.")
    ticket = find_ticket(session, reference, lock=True)
    if ticket.status not in OPEN_STATUSES:
        raise TransitionRefused(
            f"{ticket.reference} is {STATUS_LABELS.get(ticket.status, ticket.status)}; messages go only to "
            "requesters of open tickets."
        )
    assert ticket.id is not None
    by_slack = bool(ticket.channel == "slack" and ticket.slack_user_id)
    message = TicketMessage(
        ticket_id=ticket.id,
        direction=TO_REQUESTER,
        author_id=author.id,
        text=body,
        channel="slack" if by_slack else "email",
        expects_reply=expects_reply,
        created_at=now,
    )
    session.add(message)
    session.flush()
    if expects_reply and ticket.awaiting_requester_since is None:
        ticket.awaiting_requester_since = now
    ticket.updated_at = now
    session.add(ticket)
    notice = team_message(ticket, body, expects_reply=expects_reply, by_slack=by_slack)
    notify_requester(
        session, ticket, kind="team_message", subject=notice.subject, body=notice.body, now=now, mail=notice.mail
    )
    record_event(
        session,
        ticket,
        actor=actor_for(author),
        action="message",
        at=now,
        from_status=ticket.status,
        to_status=ticket.status,
        detail={"message_id": message.id, "expects_reply": expects_reply, "channel": message.channel},
    )
    return message


def attach_answer(
    session: Session,
    ticket: Ticket,
    *,
    text: str,
    channel: str,
    now: datetime,
    agent_channel: str | None,
    public_url: str,
) -> TicketMessage:
    """The requester's answer, on their own open ticket: stored, the question closed, the team told."""
    assert ticket.id is not None
    message = TicketMessage(
        ticket_id=ticket.id, direction=FROM_REQUESTER, text=text, channel=channel, created_at=now, seen_in_chat_at=now
    )
    session.add(message)
    session.flush()
    ticket.awaiting_requester_since = None
    ticket.updated_at = now
    session.add(ticket)
    record_event(
        session,
        ticket,
        actor="requester",
        action="requester_replied",
        at=now,
        from_status=ticket.status,
        to_status=ticket.status,
        detail={"message_id": message.id, "channel": channel},
    )
    tell_team(
        session,
        ticket,
        requester_answered(ticket, public_url=public_url),
        kind="agent_requester_answered",
        now=now,
        agent_channel=agent_channel,
    )
    return message


def unseen_questions(session: Session, requester: Requester, *, channel: str) -> list[tuple[Ticket, TicketMessage]]:
    """Messages to this verified requester, on their open tickets filed through `channel`, that the chat
    has not yet put to them — oldest first."""
    if channel == "slack" and requester.slack_user_id:
        mine = col(Ticket.slack_user_id) == requester.slack_user_id
    elif channel == "web" and requester.verified and requester.email:
        mine = col(Ticket.requester_email) == requester.email
    else:
        return []
    rows = session.exec(
        select(Ticket, TicketMessage)
        .join(TicketMessage, col(TicketMessage.ticket_id) == Ticket.id)
        .where(
            mine,
            col(Ticket.channel) == channel,
            col(Ticket.status).in_(OPEN_STATUSES),
            col(TicketMessage.direction) == TO_REQUESTER,
            col(TicketMessage.seen_in_chat_at).is_(None),
        )
        .order_by(col(TicketMessage.id))
    ).all()
    return [(t, m) for t, m in rows]


def mark_seen(session: Session, ticket_id: int, *, now: datetime) -> None:
    """The chat has put this ticket's messages to the requester."""
    session.exec(
        update(TicketMessage)
        .where(
            col(TicketMessage.ticket_id) == ticket_id,
            col(TicketMessage.direction) == TO_REQUESTER,
            col(TicketMessage.seen_in_chat_at).is_(None),
        )
        .values(seen_in_chat_at=now)
    )


def latest_to_requester(session: Session, ticket_id: int) -> TicketMessage | None:
    """The team's most recent message on a ticket."""
    return session.exec(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == TO_REQUESTER)
        .order_by(col(TicketMessage.id).desc())
    ).first()


def ticket_messages(session: Session, ticket_id: int) -> list[tuple[TicketMessage, str | None]]:
    """Every message on a ticket, oldest first, with the writing agent's e-mail (None for the requester)."""
    rows = session.exec(
        select(TicketMessage, Agent.email)
        .outerjoin(Agent, col(Agent.id) == TicketMessage.author_id)
        .where(TicketMessage.ticket_id == ticket_id)
        .order_by(col(TicketMessage.created_at), col(TicketMessage.id))
    ).all()
    return [(m, e) for m, e in rows]
