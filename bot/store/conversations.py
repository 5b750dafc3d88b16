"""Conversation state and transcripts, kept in the database so any process can take the next turn."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from bot.store.models import Conversation, TicketTurn, Turn
from bot.types import Requester

MAX_HISTORY = 200


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def keyed_session_id(key: str, prefix: str, *parts: str) -> str:
    """The id of a channel's conversation (a Slack DM, a mention): stable, so any process continues
    it, but keyed with a server secret, so nobody can compute it from public ids (team, user, ts)."""
    message = "\x1f".join(parts).encode()
    digest = hmac.new(hashlib.sha256(b"conversation-id:" + key.encode()).digest(), message, hashlib.sha256)
    return f"{prefix}-{digest.hexdigest()[:40]}"


def lock_conversation(session: Session, session_id: str) -> Conversation | None:
    """Load a conversation for update: PostgreSQL row lock; SQLite already holds the write lock."""
    return session.exec(select(Conversation).where(Conversation.session_id == session_id).with_for_update()).first()


def is_expired(conversation: Conversation, *, now: datetime, idle: timedelta) -> bool:
    return conversation.updated_at + idle < now


def web_conversation(session: Session, session_id: str, *, now: datetime, idle: timedelta) -> Conversation | None:
    """The conversation the web surface may read or continue with this id: one of the web channel,
    not idle past its expiry. Anything else (a Slack or CLI conversation, an expired one) is None."""
    if not session_id or len(session_id) > 64:
        return None
    conversation = session.get(Conversation, session_id)
    if conversation is None or conversation.channel != "web" or is_expired(conversation, now=now, idle=idle):
        return None
    return conversation


def requester_of(conversation: Conversation) -> Requester:
    return Requester(
        email=conversation.requester_email,
        name=conversation.requester_name,
        verified_via=conversation.verified_via,
        slack_user_id=conversation.slack_user_id,
        slack_team_id=conversation.slack_team_id,
    )


def adopt_requester(conversation: Conversation, requester: Requester, *, now: datetime) -> None:
    """Take what the channel vouches for (Slack profile, signed portal identity) on every turn."""
    if requester.slack_user_id:
        conversation.slack_user_id = requester.slack_user_id
        conversation.slack_team_id = requester.slack_team_id
    if requester.name and not conversation.requester_name:
        conversation.requester_name = requester.name
    if requester.verified and requester.email:
        if conversation.requester_email != requester.email or not conversation.verified_via:
            conversation.verified_at = now
        conversation.requester_email = requester.email
        conversation.verified_via = requester.verified_via


def record_turn(
    session: Session, *, session_id: str, role: str, text: str, payload: dict[str, Any], at: datetime
) -> Turn:
    turn = Turn(session_id=session_id, role=role, text=text, payload=payload, created_at=at)
    session.add(turn)
    return turn


def history(session: Session, session_id: str, *, limit: int = MAX_HISTORY) -> list[Turn]:
    """This session's turns, oldest first (only this session's: the id is the capability)."""
    turns = session.exec(
        select(Turn).where(Turn.session_id == session_id).order_by(col(Turn.id).desc()).limit(limit)
    ).all()
    return list(reversed(turns))


def next_turn_id(session: Session, session_id: str, *, this_turn: bool) -> int:
    """The id of this turn's first transcript row (the user's, when one was just recorded; else
    the bot's to come): a flow started in this turn begins its transcript there."""
    last = session.exec(select(func.max(Turn.id)).where(Turn.session_id == session_id)).one()  # autoflushes
    return int(last or 0) if this_turn else int(last or 0) + 1


def snapshot_transcript(session: Session, *, ticket_id: int, session_id: str, since: int | None) -> int:
    """Copy the turns of the flow that filed a ticket into the ticket's own transcript. Without a
    known start (a flow begun before this was recorded), the turns no other ticket has taken."""
    query = select(Turn).where(Turn.session_id == session_id)
    if since is not None:
        query = query.where(col(Turn.id) >= since)
    else:
        taken = select(TicketTurn.turn_id).where(col(TicketTurn.turn_id).is_not(None))
        query = query.where(col(Turn.id).not_in(taken))
    turns = session.exec(query.order_by(col(Turn.id))).all()
    for turn in turns:
        session.add(
            TicketTurn(
                ticket_id=ticket_id,
                turn_id=turn.id,
                role=turn.role,
                text=turn.text,
                payload=dict(turn.payload),
                created_at=turn.created_at,
            )
        )
    return len(turns)


def ticket_transcript(session: Session, ticket_id: int) -> list[TicketTurn]:
    """A ticket's own transcript, oldest first."""
    return list(session.exec(select(TicketTurn).where(TicketTurn.ticket_id == ticket_id).order_by(col(TicketTurn.id))))
