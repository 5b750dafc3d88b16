"""The privacy team's questions in the chat, and the requester's answers back to the ticket.

- `deliver` (web): at the end of a turn that leaves no flow open, a verified requester with a
  message from the team they have not seen in the chat gets it, named by its reference, and the
  "reply" flow starts: their next message is their answer.
- `take_up` (Slack): the question already arrived as a DM in this very conversation, so the next
  typed message is taken as the answer.
- "reply to PRV-…" (or a `reply:<reference>` button) starts the same flow anywhere, verifying the
  requester first as for status.
Whichever way, the answer is shown back for confirmation before it is filed (`AnswerTeam`).
"""

from __future__ import annotations

from typing import Protocol

from bot.cases.messages import attach_answer, latest_to_requester, mark_seen, unseen_questions
from bot.cases.notices import quoted
from bot.cases.tickets import OPEN_STATUSES, STATUS_LABELS, get_ticket, long_date, requester_tickets, summary
from bot.conversation.turn import TurnContext, menu
from bot.flows import REPLY_CONFIRM, TYPE_LABELS, FieldSpec
from bot.store.conversations import requester_of
from bot.store.models import Ticket
from bot.types import Reply

INTENT = "ticket_status"  # an answer concerns an existing request (DESIGN §4 intents)


class Starter(Protocol):
    """What starts a flow (the walker, `Dialog.start`)."""

    def start(self, ctx: TurnContext, flow_type: str, *, values: dict[str, str] | None = None) -> Reply: ...


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _own_ticket(ctx: TurnContext) -> Ticket | None:
    ticket = get_ticket(ctx.session, ctx.flow.values["reference"])
    mine = {t.id for t in requester_tickets(ctx.session, requester_of(ctx.conversation), limit=500)}
    return ticket if ticket is not None and ticket.id in mine else None


class AnswerTeam:
    """The "reply" flow's completion: show the team's question, then file the answer on the ticket."""

    def __init__(self, *, agent_channel: str | None, public_url: str) -> None:
        self.agent_channel = agent_channel
        self.public_url = public_url

    def _unavailable(self, ctx: TurnContext, preface: str) -> Reply | None:
        """The reply that ends the flow when the ticket is not the requester's or no longer open."""
        ticket = _own_ticket(ctx)
        reference = ctx.flow.values["reference"]
        if ticket is None:
            text = f"I couldn't find a request {reference} filed under your verified identity."
        elif ticket.status not in OPEN_STATUSES:
            text = (
                f"Request {reference} is already {STATUS_LABELS[ticket.status]}, so it no longer takes answers. "
                'If you need anything more, say "talk to a person".'
            )
        else:
            return None
        ctx.end_flow()
        return ctx.reply(_join(preface, text), INTENT, expecting=menu())

    def prompt(self, ctx: TurnContext, field: FieldSpec, preface: str = "") -> str | Reply:
        ended = self._unavailable(ctx, preface)
        if ended is not None:
            return ended
        ticket = _own_ticket(ctx)
        assert ticket is not None and ticket.id is not None
        mark_seen(ctx.session, ticket.id, now=ctx.now)
        question = latest_to_requester(ctx.session, ticket.id)
        label = f"{ticket.reference} ({TYPE_LABELS.get(ticket.type, ticket.type)})"
        if question is None:
            return (
                f"What would you like to tell the privacy team about request {label}? "
                "I'll add it to your request and let them know."
            )
        return (
            f"The privacy team wrote to you about request {label} on {long_date(question.created_at.date())}:\n"
            f"{quoted(question.text)}\n\n{field.prompt}"
        )

    def confirmation(self, ctx: TurnContext, preface: str = "") -> str | Reply:
        ended = self._unavailable(ctx, preface)
        if ended is not None:
            return ended
        values = ctx.flow.values
        return (
            f"I'll send this to the privacy team as your answer on request {values['reference']}:\n"
            f"{quoted(values['message'])}\n\n{REPLY_CONFIRM.prompt}"
        )

    def complete(self, ctx: TurnContext, preface: str = "") -> Reply:
        ended = self._unavailable(ctx, preface)
        if ended is not None:
            return ended
        ticket = _own_ticket(ctx)
        assert ticket is not None
        attach_answer(
            ctx.session,
            ticket,
            text=ctx.flow.values["message"],
            channel=ctx.inbound.channel,
            now=ctx.now,
            agent_channel=self.agent_channel,
            public_url=self.public_url,
        )
        ctx.queued = True
        ctx.end_flow()
        text = (
            f"Thank you — I've added your answer to request {ticket.reference} and let the privacy team know. "
            f"It is still due by {long_date(ticket.due_date)}."
        )
        return ctx.reply(_join(preface, text), INTENT, ticket=summary(ticket))


def take_up(ctx: TurnContext, dialog: Starter) -> Reply | None:
    """Slack: a typed message right after the team's question (sent to this DM) is the answer to it."""
    if ctx.state.flow is not None or ctx.action or not ctx.text or ctx.inbound.public:
        return None
    if ctx.inbound.channel != "slack" or not ctx.verified:
        return None
    u = ctx.understanding
    if u.cancel or u.reference or u.intent == "greeting":
        return None  # "cancel", "reply to PRV-…" and a hello are what they say
    pending = unseen_questions(ctx.session, requester_of(ctx.conversation), channel="slack")
    if not pending:
        return None
    ticket = pending[-1][0]
    assert ticket.id is not None
    mark_seen(ctx.session, ticket.id, now=ctx.now)
    return dialog.start(ctx, "reply", values={"reference": ticket.reference, "message": ctx.text[:2000]})


def deliver(ctx: TurnContext, dialog: Starter, reply: Reply) -> Reply:
    """Web: after a turn that leaves no flow open, put the team's unseen question to a verified
    requester (named by its reference) and wait for the answer."""
    if ctx.state.flow is not None or ctx.inbound.public or ctx.inbound.channel != "web" or not ctx.verified:
        return reply
    pending = unseen_questions(ctx.session, requester_of(ctx.conversation), channel="web")
    if not pending:
        return reply
    ticket = pending[-1][0]
    ctx.notes = []  # already said above, in `reply`
    asked = dialog.start(ctx, "reply", values={"reference": ticket.reference})
    return Reply(
        session_id=reply.session_id,
        reply=_join(reply.reply, asked.reply),
        intent=reply.intent,
        citations=reply.citations,
        expecting=asked.expecting,
        ticket=reply.ticket,
    )
