"""The context of one conversational turn, shared by the engine, the walker and the completions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.answering.understanding import Understanding
from bot.conversation.state import ConversationState, FlowState
from bot.flows import start_choices
from bot.metrics import AnswerOutcome
from bot.store.conversations import next_turn_id
from bot.store.models import Conversation
from bot.types import Choice, Expecting, Inbound, Reply

MENU_PROMPT = "What would you like to do?"


def menu() -> Expecting:
    """The top-level choices: start a request, or check on one."""
    return Expecting("menu", "choice", MENU_PROMPT, (*start_choices(), Choice("status", "Check on my request")))


@dataclass
class TurnContext:
    """Everything one turn works with; `state` is written back to the conversation at the end."""

    session: Session
    conversation: Conversation
    inbound: Inbound
    understanding: Understanding
    now: datetime
    state: ConversationState
    notes: list[str] = field(default_factory=list)  # said before the reply ("the session timed out")
    queued: bool = False  # something went into the outbox: wake the worker after the commit
    user_turn: bool = False  # this turn recorded a user row in the transcript
    _first_turn_id: int | None = field(default=None, repr=False)
    filed: list[tuple[int, int | None]] = field(default_factory=list)  # (ticket id, its flow's first turn id)
    outcome: AnswerOutcome | None = None  # set when the turn answered or declined a question (metrics)
    # A message that asks several things ("can you forget me? also who is responsible…"): each
    # part analysed on its own, in order (empty for the usual one-part message).
    parts: tuple[Understanding, ...] = ()

    def first_turn_id(self) -> int:
        """This turn's first transcript row, where a flow started now begins; looked up only when a
        flow starts (one query most turns never need)."""
        if self._first_turn_id is None:
            self._first_turn_id = next_turn_id(self.session, self.conversation.session_id, this_turn=self.user_turn)
        return self._first_turn_id

    @property
    def text(self) -> str:
        return self.understanding.text

    @property
    def action(self) -> str | None:
        return self.inbound.action

    @property
    def flow(self) -> FlowState:
        """The active flow (callers in the walker only run while there is one)."""
        assert self.state.flow is not None
        return self.state.flow

    @property
    def verified(self) -> bool:
        c = self.conversation
        return bool(c.verified_via and (c.requester_email or c.slack_user_id))

    def end_flow(self) -> None:
        self.state.flow = None

    def reply(self, text: str, intent: str, **kwargs: Any) -> Reply:
        body = "\n\n".join([*self.notes, text]) if self.notes else text
        return Reply(session_id=self.conversation.session_id, reply=body, intent=intent, **kwargs)
