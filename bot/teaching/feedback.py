"""Questions the bot answered (or declined) and the votes on those answers.

Every answer turn keeps its question (personal data masked), the passages it quoted, the channel
and the time; a vote is one row per answer, so a second click changes it. Votes are addressed the
way the web API addresses them: a bot turn's index in the session's history, or the latest answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.store.conversations import history
from bot.store.models import AnswerFeedback, AskedQuestion
from bot.teaching.masking import mask_personal

MAX_QUESTION_CHARS = 1000
# The engine's outcome of a turn → how a stored question records it.
OUTCOMES = {"answered": "answered", "does_not_say": "not_stated", "declined": "declined"}
THANKS = "Thanks for your feedback."
THANKS_UNHELPFUL = "Thanks for telling us. The privacy team reviews answers that did not help."
TALK_TO_A_PERSON = "Talk to a person"
HANDOFF_ACTION = "start:handoff"


def record_question(
    session: Session,
    *,
    session_id: str,
    turn_id: int,
    channel: str,
    question: str,
    outcome: str,
    citations: Iterable[Any],
    at: datetime,
) -> AskedQuestion:
    """Keep one answered or declined question (masked) with what the answer quoted."""
    quoted = [{"section": c.section, "title": c.title, "quote": c.quote} for c in citations]
    row = AskedQuestion(
        session_id=session_id,
        turn_id=turn_id,
        channel=channel,
        question=mask_personal(question)[:MAX_QUESTION_CHARS],
        outcome=OUTCOMES.get(outcome, outcome),
        citations=quoted if outcome != "declined" else [],
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def answer_at(session: Session, session_id: str, turn: int | None) -> AskedQuestion | None:
    """The answer a vote is about: the bot turn at this index of the history, or the latest answer."""
    if turn is None:
        query = select(AskedQuestion).where(AskedQuestion.session_id == session_id)
        return session.exec(query.order_by(col(AskedQuestion.id).desc())).first()
    turns = history(session, session_id)
    if not 0 <= turn < len(turns) or turns[turn].role != "bot":
        return None
    query = select(AskedQuestion).where(AskedQuestion.session_id == session_id, AskedQuestion.turn_id == turns[turn].id)
    return session.exec(query).first()


def vote(session: Session, *, question_id: int, helpful: bool, channel: str, now: datetime) -> AnswerFeedback:
    """Record (or change) the vote on one answer."""
    row = session.exec(select(AnswerFeedback).where(AnswerFeedback.question_id == question_id)).first()
    if row is None:
        row = AnswerFeedback(question_id=question_id, helpful=helpful, channel=channel, created_at=now, updated_at=now)
    else:
        row.helpful, row.updated_at = helpful, now
    session.add(row)
    return row


def thanks(helpful: bool) -> str:
    """What a channel says after a vote (a "not helpful" one also offers a person)."""
    return THANKS if helpful else THANKS_UNHELPFUL
