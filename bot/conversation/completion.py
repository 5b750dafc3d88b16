"""What happens when a flow is finished: file the ticket, show the requester's tickets, withdraw one
(and, in `inbox`, pass an answer on to the privacy team).

The walker (`dialog`) knows nothing of tickets: when a flow reaches its confirmation it asks the
flow's completion for the prompt, and when the requester confirms (or no confirmation is needed)
it hands the turn over here. A completion ends the flow.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bot.cases.lifecycle import ActionRequest, apply_action, current_summary
from bot.cases.tickets import STATUS_LABELS, create_ticket, get_ticket, long_date, requester_tickets, summary
from bot.conversation.inbox import AnswerTeam
from bot.conversation.turn import TurnContext, menu
from bot.flows import TYPE_LABELS, Completion, FieldSpec
from bot.store.conversations import requester_of
from bot.store.models import Ticket
from bot.store.outbox import enqueue, notify_requester
from bot.types import Reply, Requester
from bot.validation import mask_email


class Completer(Protocol):
    """One kind of completion (`FlowSpec.completion`)."""

    def confirmation(self, ctx: TurnContext, preface: str = "") -> str | Reply:
        """The confirmation question, or a reply that ends the flow because there is nothing to confirm."""
        ...

    def complete(self, ctx: TurnContext, preface: str = "") -> Reply:
        """Do what the flow was for and end it."""
        ...

    def prompt(self, ctx: TurnContext, field: FieldSpec, preface: str = "") -> str | Reply:
        """The question of a field asked once the requester is verified, or a reply that ends the flow."""
        ...


class _OwnFieldsOnly:
    """Completions whose flows have no fields that need a verified requester."""

    def prompt(self, ctx: TurnContext, field: FieldSpec, preface: str = "") -> str | Reply:
        return field.prompt


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


class FileTicket(_OwnFieldsOnly):
    """A request flow: summarise, then create the ticket, send the receipt and tell the agents."""

    def __init__(self, *, agent_channel: str | None) -> None:
        self.agent_channel = agent_channel

    def confirmation(self, ctx: TurnContext, preface: str = "") -> str | Reply:
        flow = ctx.flow
        spec, values = flow.spec, flow.values
        lines = [f"Here is what I'll file — {spec.title}:"]
        lines += [f"• {label}: {value}" for label, value in spec.summary(values)]
        lines.append(f"• Name: {values.get('name') or ctx.conversation.requester_name}")
        if values.get("company"):
            lines.append(f"• Company: {values['company']}")
        lines.append(f"• E-mail: {ctx.conversation.requester_email or '(from Slack)'}")
        return "\n".join(lines) + "\n\n" + (spec.confirm.prompt if spec.confirm else "")

    def _requester(self, ctx: TurnContext) -> Requester:
        """The conversation's requester, with the name given in this flow if there is one."""
        requester = requester_of(ctx.conversation)
        return replace(requester, name=ctx.flow.values.get("name") or requester.name)

    def complete(self, ctx: TurnContext, preface: str = "") -> Reply:
        flow = ctx.flow
        spec, values = flow.spec, flow.values
        requester = self._requester(ctx)  # verified: the walker completes only verified flows
        details: dict[str, object] = {
            f.name: values[f.name] for f in spec.fields if f.applies(values) and f.name in values
        }
        details["summary"] = [[label, value] for label, value in spec.summary(values)]
        ticket = create_ticket(
            ctx.session,
            type=spec.type,
            requester=requester,
            verified_at=ctx.conversation.verified_at or ctx.now,
            channel=ctx.inbound.channel,
            details=details,
            now=ctx.now,
            company=values.get("company") or None,
            session_id=ctx.conversation.session_id,
        )
        assert ticket.id is not None
        ctx.filed.append((ticket.id, flow.since))  # its transcript is copied once this turn is recorded
        if requester.name and not ctx.conversation.requester_name:
            ctx.conversation.requester_name = requester.name
        due = ticket.due_date.isoformat()
        receipt = (
            f"We have received your request.\n\nReference: {ticket.reference}\nType: {TYPE_LABELS[spec.type]}\n"
            f"Received: {ticket.received_at:%Y-%m-%d}\nDue date: {due}\n\nWhat happens next: {spec.next_steps} "
            "We'll tell you about every outcome. If we need more time, we'll tell you why before the due date.\n\n"
            f'To withdraw it, tell the privacy assistant "withdraw my request {ticket.reference}".'
        )
        notify_requester(
            ctx.session,
            ticket,
            kind="receipt",
            subject=f"Your privacy request {ticket.reference}",
            body=receipt,
            now=ctx.now,
        )
        if self.agent_channel:
            enqueue(
                ctx.session,
                channel="slack",
                kind="agent_new_ticket",
                recipient=self.agent_channel,
                now=ctx.now,
                ticket_id=ticket.id,
                body=f"New {TYPE_LABELS[spec.type]} request {ticket.reference}, due {due}.",
                payload={"reference": ticket.reference, "type": spec.type, "due_date": due, "channel": ticket.channel},
            )
        ctx.queued = True
        ctx.end_flow()
        where = (
            "in a direct message"
            if ticket.channel == "slack" and ticket.slack_user_id
            else f"to {mask_email(ticket.requester_email)}"
        )
        # The ticket card (or Slack's fields, or the terminal's summary) shows reference, type, status
        # and due date: the text tells what happens, in the same date format, without repeating the card.
        text = (
            f"Done — I've filed {spec.title} under reference {ticket.reference}. {spec.next_steps} "
            f"The legal deadline is {long_date(ticket.due_date)}, one calendar month from today. "
            f"I've sent a receipt {where}."
        )
        return ctx.reply(_join(preface, text), spec.type, ticket=summary(ticket))


class ShowStatus(_OwnFieldsOnly):
    """The requester's own tickets, once they are verified."""

    def confirmation(self, ctx: TurnContext, preface: str = "") -> str | Reply:
        return self.complete(ctx, preface)  # nothing to confirm: a look-up changes nothing

    def complete(self, ctx: TurnContext, preface: str = "") -> Reply:
        ctx.end_flow()
        tickets = requester_tickets(ctx.session, requester_of(ctx.conversation))
        if not tickets:
            text = "I couldn't find any requests filed under your verified identity."
            return ctx.reply(_join(preface, text), "ticket_status", expecting=menu())
        many = f"your {len(tickets)} most recent requests" if len(tickets) >= 20 else f"your {len(tickets)} requests"
        lead = f"Here are {many}:"
        if len(tickets) == 1:
            # One sentence; the ticket (the widget's card, Slack's fields) shows the rest, outcome included.
            only = tickets[0]
            waiting = " The privacy team is waiting for your answer." if only.awaiting_requester_since else ""
            text = f"Your request {only.reference} is {STATUS_LABELS.get(only.status, only.status)}.{waiting}"
            return ctx.reply(_join(preface, text), "ticket_status", ticket=current_summary(only))
        lines = [lead] + [status_line(t) for t in tickets] + ["The most recent one in detail:"]
        return ctx.reply(_join(preface, "\n".join(lines)), "ticket_status", ticket=current_summary(tickets[0]))


class Withdraw(_OwnFieldsOnly):
    """Withdraw one of the requester's own open tickets, after they confirm which."""

    def _own_ticket(self, ctx: TurnContext) -> Ticket | None:
        ticket = get_ticket(ctx.session, ctx.flow.values["reference"])
        mine = {t.id for t in requester_tickets(ctx.session, requester_of(ctx.conversation), limit=500)}
        return ticket if ticket is not None and ticket.id in mine else None

    def confirmation(self, ctx: TurnContext, preface: str = "") -> str | Reply:
        ticket = self._own_ticket(ctx)
        reference = ctx.flow.values["reference"]
        if ticket is None:
            ctx.end_flow()
            text = f"I couldn't find a request {reference} filed under your verified identity."
            return ctx.reply(_join(preface, text), "cancel", expecting=menu())
        if ticket.status not in ("open", "in_progress"):
            ctx.end_flow()
            text = f"Request {reference} is already {STATUS_LABELS[ticket.status]}, so it can't be withdrawn."
            return ctx.reply(_join(preface, text), "cancel", ticket=current_summary(ticket))
        return (
            f"Withdraw request {ticket.reference} ({TYPE_LABELS.get(ticket.type, ticket.type)}, "
            f"{STATUS_LABELS[ticket.status]})? The privacy team will stop working on it."
        )

    def complete(self, ctx: TurnContext, preface: str = "") -> Reply:
        ticket = self._own_ticket(ctx)
        ctx.end_flow()
        if ticket is None or ticket.status not in ("open", "in_progress"):
            return ctx.reply("That request can no longer be withdrawn.", "cancel", expecting=menu())
        apply_action(ctx.session, ticket, ActionRequest("withdraw"), actor="requester", now=ctx.now)
        ctx.queued = True
        return ctx.reply(
            f"Request {ticket.reference} has been withdrawn. I've sent you a confirmation.",
            "cancel",
            ticket=current_summary(ticket),
        )


def completers(*, agent_channel: str | None, public_url: str = "http://127.0.0.1:8000") -> dict[Completion, Completer]:
    """One completer per kind of flow end."""
    return {
        "file": FileTicket(agent_channel=agent_channel),
        "status": ShowStatus(),
        "withdraw": Withdraw(),
        "reply": AnswerTeam(agent_channel=agent_channel, public_url=public_url),
    }


def status_line(ticket: Ticket) -> str:
    waiting = " — the privacy team is waiting for your answer" if ticket.awaiting_requester_since else ""
    return (
        f"• {ticket.reference} — {TYPE_LABELS.get(ticket.type, ticket.type)} — "
        f"{STATUS_LABELS.get(ticket.status, ticket.status)}{_when(ticket)}{waiting}"
    )


def _when(ticket: Ticket) -> str:
    if ticket.status in ("open", "in_progress"):
        return f" — due {long_date(ticket.due_date)}"
    return f" since {long_date(ticket.closed_at.date())}" if ticket.closed_at else ""
