"""The web channel: POST /api/chat (DESIGN §4), a session's history and feedback on its answers
(DESIGN §10; health is in handlers/ops)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from bot.access.identity import verify_signature
from bot.cases.lifecycle import current_summary
from bot.cases.tickets import get_ticket
from bot.store.conversations import history, web_conversation
from bot.teaching.feedback import answer_at, vote
from bot.types import Inbound, Reply, Requester
from bot.validation import MAX_MESSAGE_CHARS, clean_text
from handlers.deps import ServicesDep, client_key
from handlers.errors import error_response

router = APIRouter()


class IdentityIn(BaseModel):
    """A host-signed identity: signature = hex HMAC-SHA256(lower(email), WIDGET_IDENTITY_SECRET)."""

    model_config = ConfigDict(extra="ignore")
    email: str = Field(max_length=320)
    name: str | None = Field(default=None, max_length=200)
    signature: str = Field(max_length=256)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    session_id: str | None = Field(default=None, max_length=128)
    message: str = Field(default="", description=f"What the user typed (up to {MAX_MESSAGE_CHARS} characters).")
    action: str | None = Field(default=None, max_length=100, description="The id of a choice the user clicked.")
    identity: IdentityIn | None = None


class TurnOut(BaseModel):
    role: str
    text: str
    at: str
    reply: Reply | None = None  # a bot turn's reply, as POST /api/chat returned it
    action: str | None = None  # the choice a user turn clicked (its text is then empty)


class FeedbackIn(BaseModel):
    """A vote on one answer: `turn` is the bot turn's index in the history (null: the latest answer)."""

    model_config = ConfigDict(extra="ignore")
    turn: StrictInt | None = Field(default=None, ge=0, le=100_000)
    helpful: StrictBool


class HistoryOut(BaseModel):
    session_id: str
    turns: list[TurnOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "Message over the length limit"},
    422: {"description": "Malformed JSON or wrong types"},
    429: {"description": "Rate limited; see Retry-After"},
    503: {"description": "A dependency is unavailable"},
}


def _requester(services: Any, identity: IdentityIn | None) -> tuple[Requester | None, bool]:
    """A valid host signature makes the requester verified; a bad one is ignored (and reported)."""
    if identity is None:
        return None, False
    email = identity.email.strip().lower()
    if verify_signature(email, identity.signature, services.settings.WIDGET_IDENTITY_SECRET):
        name = clean_text(identity.name or "")[:200] or None
        return Requester(email=email, name=name, verified_via="signed_identity"), False
    return None, True


@router.post("/api/chat", response_model=Reply, responses=ERRORS, tags=["chat"])
async def chat(body: ChatRequest, request: Request, services: ServicesDep) -> Any:
    """One conversational turn (DESIGN §4)."""
    services.limiter.check(
        services.settings.RATE_LIMIT,
        "chat",
        client_key(request),
        message="You're sending messages very quickly. Please wait a moment and try again.",
    )
    requester, rejected = _requester(services, body.identity)
    inbound = Inbound(
        channel="web",
        text=body.message,
        session_id=body.session_id,
        action=body.action,
        requester=requester,
        identity_rejected=rejected,
        client_key=client_key(request),
    )
    return await run_in_threadpool(services.engine.handle, inbound)


@router.get(
    "/api/chat/{session_id}/history",
    response_model=HistoryOut,
    responses={404: {"description": "Unknown session"}},
    tags=["chat"],
)
async def chat_history(session_id: str, request: Request, services: ServicesDep) -> Any:
    """The turns of one session, so a reloaded widget can restore the conversation."""
    services.limiter.check(services.settings.RATE_LIMIT, "history", client_key(request))
    if len(session_id) > 128:
        return error_response(404, "not_found", "No conversation with that id.")

    idle = timedelta(minutes=services.settings.SESSION_IDLE_MINUTES)

    def load() -> tuple[list[Any], dict[str, dict[str, Any]]]:
        # Only a live web conversation: never another channel's (isolation), never an expired one
        # (the next user of a shared computer must not read the previous one's transcript).
        with services.db.read() as session:
            if web_conversation(session, session_id, now=services.clock(), idle=idle) is None:
                return [], {}
            turns = history(session, session_id)
            # A ticket card shown earlier in this conversation shows the ticket as it is now (status,
            # outcome), not as it was then: the conversation is reopened to see what became of it.
            shown = {ref for turn in turns if (ref := _ticket_of(turn.payload))}
            current = {ref: asdict(current_summary(ticket)) for ref in shown if (ticket := get_ticket(session, ref))}
            return turns, current

    turns, tickets = await run_in_threadpool(load)
    if not turns:
        return error_response(404, "not_found", "No conversation with that id.")
    out = []
    for turn in turns:
        reply = turn.payload if turn.role == "bot" and turn.payload.get("session_id") else None
        if reply is not None and _ticket_of(reply) in tickets:
            reply = {**reply, "ticket": tickets[_ticket_of(reply)]}
        action = turn.payload.get("action") if turn.role == "user" else None
        out.append(
            {"role": turn.role, "text": turn.text, "at": turn.created_at.isoformat(), "reply": reply, "action": action}
        )
    return {"session_id": session_id, "turns": out}


@router.post(
    "/api/chat/{session_id}/feedback",
    status_code=204,
    response_class=Response,
    responses={404: {"description": "Unknown session, or no answer at that turn"}, 422: ERRORS[422]},
    tags=["chat"],
)
async def chat_feedback(session_id: str, body: FeedbackIn, request: Request, services: ServicesDep) -> Response:
    """Helpful or not: one vote per answer (a second vote changes it); the same session rules as history."""
    services.limiter.check(services.settings.RATE_LIMIT, "feedback", client_key(request))
    if len(session_id) > 128:
        return error_response(404, "not_found", "No conversation with that id.")
    idle = timedelta(minutes=services.settings.SESSION_IDLE_MINUTES)

    def save() -> str | None:
        with services.db.write() as session:
            if web_conversation(session, session_id, now=services.clock(), idle=idle) is None:
                return "No conversation with that id."
            answer = answer_at(session, session_id, body.turn)
            if answer is None or answer.id is None:
                return "There is no answer at that turn to rate."
            vote(session, question_id=answer.id, helpful=body.helpful, channel="web", now=services.clock())
            return None

    refused = await run_in_threadpool(save)
    if refused:
        return error_response(404, "not_found", refused)
    return Response(status_code=204)


def _ticket_of(payload: dict[str, Any]) -> str:
    """The reference of the ticket card a bot turn showed ("" when none)."""
    ticket = payload.get("ticket")
    return str(ticket.get("reference") or "") if isinstance(ticket, dict) else ""
