"""The context of one conversational turn, shared by the engine and the request dialog."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.flows import start_choices
from bot.store.models import Conversation
from bot.types import Choice, Expecting, Inbound, Reply
from bot.answering.understanding import Understanding


def menu() -> Expecting:
    return Expecting("menu", "choice", "What would you like to do?",
                     start_choices() + (Choice("status", "Check on my request"),))


@dataclass
class TurnContext:
    """Everything one turn works with; `state` is written back to the conversation at the end."""

    session: Session
    conversation: Conversation
    inbound: Inbound
    understanding: Understanding
    now: datetime
    state: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    queued: bool = False

    @property
    def text(self) -> str:
        return self.understanding.text

    @property
    def action(self) -> str | None:
        return self.inbound.action

    def reply(self, text: str, intent: str, **kwargs: Any) -> Reply:
        body = "\n\n".join([*self.notes, text]) if self.notes else text
        return Reply(session_id=self.conversation.session_id, reply=body, intent=intent, **kwargs)
