"""The conversation engine: one inbound turn in, one reply out, state kept in the database.

Each turn embeds and classifies the message first (no lock held), then opens one write
transaction that locks the conversation, decides, files what must be filed and records the
transcript, so a turn is all-or-nothing and any app process can take the next one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.access.identity import CodeVerifier
from bot.access.ratelimit import RateLimiter
from bot.answering.answers import DECLINE, Answerer
from bot.answering.intents import IntentClassifier
from bot.answering.understanding import Understanding
from bot.conversation.answer import OFFER_PROMPT, answer, foreign
from bot.conversation.compound import handle_parts, split_parts
from bot.conversation.dialog import Dialog
from bot.conversation.inbox import deliver, take_up
from bot.conversation.state import ConversationState
from bot.conversation.turn import TurnContext, menu
from bot.errors import MessageTooLong, StoreUnavailable
from bot.flows import FLOWS, REQUEST_TYPES, start_choices
from bot.metrics import NULL_RECORDER, AnswerOutcome, Recorder
from bot.store.conversations import (
    adopt_requester,
    is_expired,
    lock_conversation,
    new_session_id,
    record_turn,
    snapshot_transcript,
)
from bot.store.models import Conversation
from bot.teaching.feedback import record_question
from bot.types import Choice, Expecting, Inbound, Reply, reply_json
from bot.validation import MAX_MESSAGE_CHARS, clean_text, find_reference

log = logging.getLogger(__name__)

GREETING = (
    "Hello! I'm the myKONE privacy assistant. I answer questions from the myKONE privacy statement, "
    "quoting it, and I can help you exercise your rights: delete or correct your data, object to "
    "processing or direct marketing, withdraw a consent, check on a request, or reach a person. "
    "What can I do for you?"
)
EMPTY_PROMPT = "Type a question about your personal data, or pick one of the options below."
MOVED_TO_DM = (
    "I've sent you a direct message so we can handle your request privately — personal details never go in a channel."
)
DISMISSED = "Alright. Is there anything else I can help with?"
NOTHING_TO_CANCEL = (
    "There's nothing in progress to cancel. To withdraw a request you've filed, tell me its "
    'reference, e.g. "withdraw my request PRV-AB12-CD34".'
)
# "reply to PRV-…", "I want to answer the privacy team's question": the requester answering the team.
_REPLY = re.compile(
    r"(?<!\ba )(?<!\bany )(?<!\bno )(?<!\bthe )\b(?:reply|replying|respond|responding)\s+(?:to|on|about)\b"
    r"|^\W*(?:reply|respond|answer)\b"
    r"|\banswer(?:ing)?\s+(?:to\s+)?(?:the\s+|your\s+)?(?:privacy team|team|question|message)",
    re.I,
)
_TEAM = re.compile(r"\b(?:privacy team|team|question|message)\b", re.I)
UNAVAILABLE = (
    "I can't file or look up requests right now because our request system is temporarily "
    "unavailable. Nothing has been filed. Please try again in a few minutes."
)


class Engine:
    """Decides every reply. Channels build an Inbound and render the Reply; nothing else."""

    def __init__(
        self,
        *,
        db: Any,
        classifier: IntentClassifier,
        answerer: Answerer,
        codes: CodeVerifier,
        statement: Any,
        clock: Callable[[], datetime],
        agent_channel: str | None = None,
        limiter: RateLimiter | None = None,
        code_send_limit: str = "3/15minutes",
        idle: timedelta = timedelta(minutes=30),
        on_queued: Callable[[], None] = lambda: None,
        metrics: Recorder = NULL_RECORDER,
        public_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self.db = db
        self.classifier = classifier
        self.answerer = answerer
        self.dialog = Dialog(
            codes=codes,
            statement=statement,
            agent_channel=agent_channel,
            limiter=limiter,
            code_send_limit=code_send_limit,
            public_url=public_url,
        )
        self.clock = clock
        self.idle = idle
        self.on_queued = on_queued
        self.metrics = metrics

    def handle(self, inbound: Inbound) -> Reply:
        """Take one turn. Raises MessageTooLong (the one length check); never loses a half-done turn."""
        if len(inbound.text) > MAX_MESSAGE_CHARS:
            raise MessageTooLong(
                f"Messages are limited to {MAX_MESSAGE_CHARS} characters; yours has {len(inbound.text)}."
            )
        pending, previous = self._peek(inbound)
        understanding = Understanding(clean_text(inbound.text), self.classifier, self.answerer, previous=previous)
        understanding.warm(pending=pending)
        parts = self._parts(inbound, understanding, pending)
        for attempt in range(2):
            try:
                with self.db.write() as session:
                    reply, queued, outcome = self._turn(session, inbound, understanding, parts)
                break
            except IntegrityError:
                # Two first turns raced to create the same Slack conversation: take it again.
                if attempt:
                    raise
            except StoreUnavailable:
                log.warning("database unavailable; answering without state")
                reply = self._degraded(inbound, understanding)
                said: AnswerOutcome | None = (
                    "answered" if reply.citations else "declined" if reply.intent == "out_of_scope" else None
                )
                self._count(inbound, reply, said)
                return reply
        if queued:
            self.on_queued()
        self._count(inbound, reply, outcome)
        return reply

    def _parts(self, inbound: Inbound, understanding: Understanding, pending: str | None) -> tuple[Understanding, ...]:
        """The asks of a message that holds several (outside a flow), each analysed on its own."""
        if inbound.action or pending is not None or understanding.language != "en":
            return ()
        texts = split_parts(understanding.text)
        if len(texts) < 2:
            return ()
        parts = tuple(Understanding(text, self.classifier, self.answerer) for text in texts)
        for part in parts:
            part.warm()
        return parts

    def _count(self, inbound: Inbound, reply: Reply, outcome: AnswerOutcome | None) -> None:
        """Report the finished turn (counted once, after its transaction committed)."""
        self.metrics.turn(channel=inbound.channel, intent=reply.intent)
        if outcome is not None:
            self.metrics.answer(outcome=outcome)

    def _peek(self, inbound: Inbound) -> tuple[str | None, str | None]:
        """What the conversation waits for and its last question, read without a lock: the costly
        analysis can be skipped when the message is just an answer (a name, "skip", a click), and a
        follow-up ("and for cookies?") is read against the last question."""
        if not inbound.session_id or inbound.action:
            return ("action" if inbound.action else None), None
        try:
            with self.db.read() as session:
                conversation = session.get(Conversation, inbound.session_id)
        except StoreUnavailable:
            return None, None
        if conversation is None or conversation.channel != inbound.channel:
            return None, None
        state = ConversationState.load(conversation.state)
        return (self.dialog.pending_kind(state.flow) if state.flow else None), state.last_question

    def _turn(
        self, session: Session, inbound: Inbound, understanding: Understanding, parts: tuple[Understanding, ...] = ()
    ) -> tuple[Reply, bool, AnswerOutcome | None]:
        now = self.clock()
        conversation, notes = self._conversation(session, inbound, now)
        ctx = TurnContext(
            session, conversation, inbound, understanding, now, ConversationState.load(conversation.state), notes
        )
        ctx.parts = parts
        if inbound.identity_rejected and not ctx.state.identity_warned:
            ctx.state.identity_warned = True
            ctx.notes.append(
                "I couldn't verify the sign-in details your portal sent, so I'll treat you as not signed in."
            )
        pending = ctx.state.flow.pending if ctx.state.flow else None
        # Codes never enter transcripts (a question typed at that step does).
        shown = "••••••" if pending == "code" and re.fullmatch(r"[\d\s-]{4,12}", ctx.text) else ctx.text
        if shown or inbound.action:
            record_turn(
                session,
                session_id=conversation.session_id,
                role="user",
                text=shown,
                payload={"action": inbound.action} if inbound.action else {},
                at=now,
            )
        ctx.user_turn = bool(shown or inbound.action)
        reply = deliver(ctx, self.dialog, self._respond(ctx))  # the privacy team's questions, on the web
        conversation.state = ctx.state.dump()
        conversation.updated_at = now
        session.add(conversation)
        bot_turn = record_turn(
            session, session_id=conversation.session_id, role="bot", text=reply.reply, payload=reply_json(reply), at=now
        )
        if ctx.outcome is not None and ctx.text:  # an answer (or decline): kept, masked, for feedback
            session.flush()
            asked = record_question(
                session,
                session_id=conversation.session_id,
                turn_id=int(bot_turn.id or 0),
                channel=conversation.channel,
                question=ctx.text,
                outcome=ctx.outcome,
                citations=reply.citations,
                at=now,
            )
            reply = replace(reply, answer_id=asked.id)
        for ticket_id, since in ctx.filed:  # each ticket keeps the transcript of its own flow
            snapshot_transcript(session, ticket_id=ticket_id, session_id=conversation.session_id, since=since)
        return reply, ctx.queued, ctx.outcome

    def _conversation(self, session: Session, inbound: Inbound, now: datetime) -> tuple[Conversation, list[str]]:
        notes: list[str] = []
        conversation = lock_conversation(session, inbound.session_id) if inbound.session_id else None
        if conversation is not None and conversation.channel != inbound.channel:
            # Isolation (DESIGN §10): a channel only ever continues its own conversations, so a web
            # caller holding a Slack conversation's id gets a fresh session, never its requester.
            log.warning("a %s turn named a %s conversation; starting afresh", inbound.channel, conversation.channel)
            conversation = None
            inbound = replace(inbound, session_id=None)
        if conversation is not None and is_expired(conversation, now=now, idle=self.idle):
            if ConversationState.load(conversation.state).flow:
                notes.append(
                    "Our earlier conversation timed out after a while without activity, so I've started afresh. "
                    "Nothing was filed."
                )
            if inbound.channel == "web":
                conversation = None  # a fresh id: an old browser tab cannot resume a stale session
            else:
                conversation.state = {}
                if conversation.verified_via == "email_code":
                    conversation.verified_via = conversation.verified_at = None
        if conversation is None:
            # Web clients never choose their session id; trusted channels (Slack, CLI) derive theirs.
            trusted = inbound.channel != "web" and inbound.session_id
            conversation = Conversation(
                session_id=inbound.session_id if trusted and inbound.session_id else new_session_id(),
                channel=inbound.channel,
                state={},
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
        if inbound.requester:
            adopt_requester(conversation, inbound.requester, now=now)
        return conversation, notes

    def _respond(self, ctx: TurnContext) -> Reply:
        if ctx.state.flow is not None:
            return self.dialog.continue_flow(ctx)
        taken = take_up(ctx, self.dialog)  # Slack: the answer to the question just sent to this DM
        if taken is not None:
            return taken
        if not ctx.text and not ctx.action:
            return ctx.reply(EMPTY_PROMPT, "greeting", expecting=menu())
        if ctx.action:
            reply = self._top_action(ctx)
            if reply is not None:
                return reply
        return self._top_text(ctx)

    def _start(self, ctx: TurnContext, flow_type: str, *, reference: str | None = None) -> Reply:
        """Start a flow — or, said in public (a Slack channel), ask the channel to continue it privately."""
        ctx.state.offer = ()
        if ctx.inbound.public:
            action = (
                f"{flow_type}:{reference}" if reference else "status" if flow_type == "status" else f"start:{flow_type}"
            )
            return ctx.reply(MOVED_TO_DM, FLOWS[flow_type].turn_intent, continue_in_dm=action)
        return self.dialog.start(ctx, flow_type, values={"reference": reference} if reference else None)

    def _top_action(self, ctx: TurnContext) -> Reply | None:
        action = ctx.action or ""
        kind, _, argument = action.partition(":")
        if kind == "start" and argument in REQUEST_TYPES:
            return self._start(ctx, argument)
        if action == "status":
            return self._start(ctx, "status")
        if kind in ("withdraw", "reply") and find_reference(argument):
            return self._start(ctx, kind, reference=find_reference(argument))
        if action in ("no", "menu", "dismiss"):
            ctx.state.offer = ()
            return ctx.reply(DISMISSED, "greeting", expecting=menu())
        return None  # an unknown or stale button: fall back to the text, if any

    def _top_text(self, ctx: TurnContext) -> Reply:
        u = ctx.understanding
        offer, ctx.state.offer = ctx.state.offer, ()
        if offer and u.affirmative:
            return self._start(ctx, offer[0])
        if offer and u.negative:
            return ctx.reply(DISMISSED, "greeting", expecting=menu())
        if not ctx.text:
            return ctx.reply(EMPTY_PROMPT, "greeting", expecting=menu())
        if _REPLY.search(ctx.text) and (u.reference or _TEAM.search(ctx.text)):
            return self._start(ctx, "reply", reference=u.reference)
        if ctx.parts:  # "can you forget me? also who is responsible for my data?": each part
            handled = handle_parts(ctx, self._start)
            if handled is not None:
                return handled
        intent = u.intent
        if u.language != "en" and intent not in ("question", "out_of_scope"):
            return self._foreign(ctx, intent)
        if intent == "greeting":
            return ctx.reply(GREETING, "greeting", expecting=menu())
        if intent == "out_of_scope":
            ctx.outcome = "declined"
            return ctx.reply(foreign(u.language, DECLINE), "out_of_scope")
        if intent in REQUEST_TYPES:
            return self._start(ctx, intent)
        if intent == "ticket_status":
            return self._start(ctx, "status")
        if intent == "cancel":
            if u.reference:
                return self._start(ctx, "withdraw", reference=u.reference)
            return ctx.reply(NOTHING_TO_CANCEL, "cancel", expecting=menu())
        return answer(ctx)

    def _foreign(self, ctx: TurnContext, intent: str) -> Reply:
        """A greeting, request or look-up in another language: say in it what the bot can do, and
        offer (never start) what the message seems to ask for, since it was read through a glossary."""
        code = ctx.understanding.language
        if intent in REQUEST_TYPES:
            ctx.state.offer = (intent,)
            choices = (*start_choices([intent]), Choice("no", "No, thanks"))
            text = foreign(code, f"It sounds like you'd like {FLOWS[intent].title}. Shall I start it (in English)?")
            return ctx.reply(text, "question", expecting=Expecting("offer", "choice", OFFER_PROMPT, choices))
        return ctx.reply(foreign(code, GREETING), "greeting", expecting=menu())

    def _degraded(self, inbound: Inbound, understanding: Understanding) -> Reply:
        """The database is down: answer what the statement can answer, say plainly what can't be done."""
        session_id = inbound.session_id or new_session_id()
        intent = understanding.intent if understanding.text else "greeting"
        if intent in ("question", "greeting", "out_of_scope") and not inbound.action:
            if intent == "question":
                found = understanding.answer
                if found.outcome != "declined":
                    return Reply(session_id, found.text, "question", citations=found.citations)
                return Reply(session_id, DECLINE, "out_of_scope")
            return Reply(session_id, GREETING if intent == "greeting" else DECLINE, intent)
        return Reply(
            session_id, UNAVAILABLE, intent if intent in (*REQUEST_TYPES, "ticket_status", "cancel") else "question"
        )
