"""The conversation core driven directly: a real Engine on SQLite, no server, no channel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col, select

from bot.access.identity import CodeVerifier
from bot.conversation.engine import Engine
from bot.conversation.state import ConversationState
from bot.store.db import Database
from bot.store.models import Conversation, OutboxMessage, Ticket
from bot.types import Channel, Inbound, Reply, Requester
from tests.factories import FakeClock


class Talk:
    """One conversation with the engine, as a channel would hold it (session id kept between turns)."""

    def __init__(
        self,
        engine: Engine,
        *,
        channel: Channel = "web",
        requester: Requester | None = None,
        session_id: str | None = None,
    ) -> None:
        self.engine = engine
        self.channel: Channel = channel
        self.requester = requester
        self.session_id = session_id
        self.last: Reply | None = None

    def say(self, text: str = "", action: str | None = None, *, public: bool = False) -> Reply:
        reply = self.engine.handle(
            Inbound(
                channel=self.channel,
                text=text,
                session_id=self.session_id,
                action=action,
                requester=self.requester,
                client_key="test-client",
                public=public,
            )
        )
        self.session_id = reply.session_id
        self.last = reply
        return reply

    def click(self, action: str) -> Reply:
        return self.say("", action)

    @property
    def asking(self) -> str | None:
        """The field the last reply asked for."""
        return self.last.expecting.field if self.last and self.last.expecting else None

    def state(self) -> ConversationState:
        with self.engine.db.read() as session:
            conversation = session.get(Conversation, self.session_id)
            assert conversation is not None
            return ConversationState.load(conversation.state)

    def code_sent_to(self, email: str) -> str:
        with self.engine.db.read() as session:
            message = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == email, OutboxMessage.kind == "verification_code")
                .order_by(col(OutboxMessage.id).desc())
            ).first()
        assert message is not None, f"no code was sent to {email}"
        match = re.search(r"\b(\d{6})\b", message.body)
        assert match
        return match.group(1)

    def tickets(self) -> list[Ticket]:
        with self.engine.db.read() as session:
            return list(session.exec(select(Ticket).order_by(col(Ticket.id))))


@pytest.fixture
def engine(sqlite_url: str, understanding: Any, clock: FakeClock) -> Iterator[Engine]:
    knowledge, classifier, answerer = understanding
    db = Database(sqlite_url)
    db.migrate()
    yield Engine(
        db=db,
        classifier=classifier,
        answerer=answerer,
        codes=CodeVerifier("test-secret-key-0123456789"),
        statement=knowledge.statement,
        clock=clock,
    )
    db.dispose()


@pytest.fixture
def talk(engine: Engine) -> Talk:
    return Talk(engine)
