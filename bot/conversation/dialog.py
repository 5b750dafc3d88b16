"""Walking a request flow: ask, validate, verify the requester, confirm, file.

Flow state lives in `ctx.state["flow"]`: {"type", "values", "answered", "pending"}. Besides the
request types of bot.flows there are two small flows of the same shape: "status" (verify, then
list the requester's tickets) and "withdraw" (reference, verify, confirm, withdraw).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.store.conversations import requester_of
from bot.errors import InvalidInput, RateLimited, VerificationFailed
from bot.flows import CODE, COMPANY, CONFIRM, EMAIL, FLOWS, NAME, FieldSpec, FlowSpec, parse_field
from bot.access.identity import CodeVerifier
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.store.models import Ticket
from bot.store.outbox import enqueue, notify_requester
from bot.access.ratelimit import RateLimiter
from bot.cases.tickets import STATUS_LABELS, TYPE_LABELS, create_ticket, get_ticket, requester_tickets, summary
from bot.conversation.turn import TurnContext, menu
from bot.types import Choice, Citation, Expecting, Reply, Requester
from bot.validation import mask_email, validate_code, validate_email

REFERENCE = FieldSpec("reference", "text", "Which request should I withdraw? Please type its reference (like PRV-AB12-CD34).", "Reference")
WITHDRAW_CONFIRM = FieldSpec("confirm", "confirm", "Withdraw this request?", "Confirmation",
                             (Choice("yes", "Yes, withdraw it"), Choice("no", "No, keep it")))
FLOW_INTENTS = {"status": "ticket_status", "withdraw": "cancel"}
RESEND_CHOICES = (Choice("resend_code", "Send a new code"), Choice("change_email", "Use a different e-mail"))

AnswerFn = Callable[..., Reply]


class Dialog:
    def __init__(self, *, codes: CodeVerifier, statement: Any, agent_channel: str | None, answer: AnswerFn,
                 limiter: RateLimiter | None = None, code_send_limit: str = "3/15minutes") -> None:
        self.codes = codes
        self.statement = statement
        self.agent_channel = agent_channel
        self.answer = answer
        self.limiter = limiter
        self.code_send_limit = code_send_limit

    # -- starting ---------------------------------------------------------------------------
    def start(self, ctx: TurnContext, flow_type: str, *, reference: str | None = None) -> Reply:
        flow: dict[str, Any] = {"type": flow_type, "values": {}, "answered": []}
        ctx.state["flow"] = flow
        ctx.state.pop("offer", None)
        preface, citations = "", ()
        spec = FLOWS.get(flow_type)
        if spec is not None:
            preface = spec.intro
            citation = self._consequence(spec)
            if citation is not None:
                preface += f"\n\nPlease note what the privacy statement says ({_label(citation)}):\n> {citation.quote}"
                citations = (citation,)
            preface += "\n\nYou can say \"back\" to change an answer or \"cancel\" to stop at any time."
        elif flow_type == "status":
            preface = "I'll look up your requests." if _verified(ctx) else "I'll look up your requests once I've confirmed who you are."
        elif flow_type == "withdraw" and reference:
            flow["values"]["reference"] = reference
        return self._ask_next(ctx, preface, citations)

    def _consequence(self, spec: FlowSpec) -> Citation | None:
        passage = self.statement.passage(spec.consequence_passage) if spec.consequence_passage else None
        section = self.statement.section(passage.section) if passage else None
        return Citation(section.number, section.title, passage.text) if passage and section else None

    # -- continuing -------------------------------------------------------------------------
    def pending_kind(self, flow: dict[str, Any]) -> str | None:
        """The kind of the field a flow waits for ("text", "choice", ...), if it is known."""
        field = self._field(flow, flow.get("pending"))
        return field.kind if field else None

    def continue_flow(self, ctx: TurnContext) -> Reply:
        flow = ctx.state["flow"]
        values = flow["values"]
        field = self._field(flow, flow.get("pending"))
        u = ctx.understanding
        if ctx.action == "cancel" or (not ctx.action and u.cancel):
            return self._cancel(ctx)
        if field is None:  # stale state (e.g. a spec changed between releases): re-ask
            return self._ask_next(ctx, "")
        if ctx.action == "back" or (not ctx.action and u.back):
            return self._back(ctx)
        if field.name == "code" and (ctx.action == "resend_code" or (not ctx.action and u.resend)):
            return self._send_code(ctx, values["email"], resent=True)
        if field.name == "code" and ctx.action == "change_email":
            values.pop("email", None)
            return self._ask_next(ctx, "")
        if not ctx.action and u.correction and u.correction[0] != field.name:
            reply = self._correct(ctx, *u.correction)
            if reply is not None:
                return reply
        if not ctx.action and not ctx.text:
            return self._ask(ctx, field, "")
        if field.kind == "text" and ctx.text.endswith("?") and u.asks_question:
            return self._answer_then_ask(ctx, field)
        try:
            value = self._parse(ctx, field)
        except InvalidInput as exc:
            if field.kind != "text" and not ctx.action and (u.asks_question or u.intent == "out_of_scope"):
                return self._answer_then_ask(ctx, field)
            hint = ""
            if not ctx.action and u.intent in FLOWS and u.intent != flow["type"] and u.prediction.confidence > 0.7:
                hint = f" (If you'd rather file {FLOWS[u.intent].title}, say \"cancel\" first.)"
            return self._ask(ctx, field, exc.message + hint)
        return self._accept(ctx, field, value)

    def _parse(self, ctx: TurnContext, field: FieldSpec) -> str:
        u = ctx.understanding
        if field.kind == "confirm":
            if ctx.action in ("yes", "no"):
                return ctx.action
            if u.affirmative:
                return "yes"
            if u.negative:
                return "no"
            raise InvalidInput("Please answer yes or no.")
        if field.kind == "code":
            return validate_code(ctx.text)
        if field.name == "reference":
            if not u.reference:
                raise InvalidInput("A reference looks like PRV-AB12-CD34.")
            return u.reference
        return parse_field(field, ctx.text, ctx.state["flow"]["values"], ctx.action)

    def _accept(self, ctx: TurnContext, field: FieldSpec, value: str) -> Reply:
        flow = ctx.state["flow"]
        values = flow["values"]
        if field.name == "email":
            values["email"] = value
            return self._send_code(ctx, value)
        if field.name == "code":
            return self._verify(ctx, value)
        if field.name == "confirm":
            if value == "no":
                return self._cancel(ctx)
            return self._withdraw(ctx) if flow["type"] == "withdraw" else self._file(ctx)
        values[field.name] = value
        if field.name not in flow["answered"]:
            flow["answered"].append(field.name)
        return self._ask_next(ctx, "")

    # -- asking -----------------------------------------------------------------------------
    def _next_field(self, ctx: TurnContext) -> FieldSpec | None:
        flow = ctx.state["flow"]
        values = flow["values"]
        spec = FLOWS.get(flow["type"])
        if spec is not None:
            for field in spec.fields:
                if field.applies(values) and field.name not in values:
                    return field
            if not ctx.conversation.requester_name and "name" not in values:
                return NAME
            if "company" not in values:
                return COMPANY
        if flow["type"] == "withdraw" and "reference" not in values:
            return REFERENCE
        if not _verified(ctx):
            return CODE if "email" in values else EMAIL
        if flow["type"] == "status":
            return None
        return WITHDRAW_CONFIRM if flow["type"] == "withdraw" else CONFIRM

    def _field(self, flow: dict[str, Any], name: str | None) -> FieldSpec | None:
        spec = FLOWS.get(flow["type"])
        fixed = {f.name: f for f in (NAME, COMPANY, EMAIL, CODE)}
        if flow["type"] == "withdraw":
            fixed.update(reference=REFERENCE, confirm=WITHDRAW_CONFIRM)
        else:
            fixed["confirm"] = CONFIRM
        return (spec.field(name) if spec and name else None) or fixed.get(name or "")

    def _ask_next(self, ctx: TurnContext, preface: str, citations: tuple[Citation, ...] = ()) -> Reply:
        field = self._next_field(ctx)
        if field is None:
            return self._show_status(ctx, preface)
        if field.name == "confirm" and ctx.state["flow"]["type"] == "withdraw":
            return self._confirm_withdrawal(ctx, preface)
        return self._ask(ctx, field, preface, citations)

    def _ask(self, ctx: TurnContext, field: FieldSpec, preface: str, citations: tuple[Citation, ...] = ()) -> Reply:
        flow = ctx.state["flow"]
        flow["pending"] = field.name
        prompt = field.prompt
        choices = field.choices
        if field.name == "code":
            prompt = prompt.format(email=mask_email(flow["values"].get("email")))
            choices = RESEND_CHOICES
        elif field.name == "confirm" and flow["type"] in FLOWS:
            prompt = self._summary(ctx) + "\n\n" + field.prompt
        expecting = Expecting(field.name, field.kind, prompt, choices)
        text = f"{preface}\n\n{prompt}" if preface else prompt
        return ctx.reply(text, _flow_intent(flow), citations=citations, expecting=expecting)

    def _answer_then_ask(self, ctx: TurnContext, field: FieldSpec) -> Reply:
        reply = self._ask(ctx, field, "")
        return self.answer(ctx, suffix=f"\n\nNow, back to your request: {reply.expecting.prompt}", expecting=reply.expecting)  # type: ignore[union-attr]

    def _summary(self, ctx: TurnContext) -> str:
        flow = ctx.state["flow"]
        spec = FLOWS[flow["type"]]
        values = flow["values"]
        lines = [f"Here is what I'll file — {spec.title}:"]
        lines += [f"• {label}: {value}" for label, value in spec.summary(values)]
        lines.append(f"• Name: {values.get('name') or ctx.conversation.requester_name}")
        if values.get("company"):
            lines.append(f"• Company: {values['company']}")
        lines.append(f"• E-mail: {ctx.conversation.requester_email or '(from Slack)'}")
        return "\n".join(lines)

    # -- navigation -------------------------------------------------------------------------
    def _cancel(self, ctx: TurnContext) -> Reply:
        flow = ctx.state.pop("flow", None) or {}
        what = "Nothing was filed." if flow.get("type") in FLOWS else "Nothing was changed."
        return ctx.reply(f"Cancelled. {what} Is there anything else I can help with?", "cancel", expecting=menu())

    def _back(self, ctx: TurnContext) -> Reply:
        flow = ctx.state["flow"]
        if not flow["answered"]:
            return self._ask_next(ctx, "We're at the first question.")
        last = flow["answered"].pop()
        flow["values"].pop(last, None)
        # Dependent answers go too ("Only specific data" → which data).
        spec = FLOWS.get(flow["type"])
        if spec:
            for f in spec.fields:
                if f.when and f.when[0] == last:
                    flow["values"].pop(f.name, None)
        return self._ask_next(ctx, "Sure, let's change that.")

    def _correct(self, ctx: TurnContext, name: str, raw: str) -> Reply | None:
        """"Actually my e-mail is …": update an earlier answer, then ask the pending question again."""
        flow = ctx.state["flow"]
        values = flow["values"]
        if name == "email":
            if ctx.conversation.verified_via in ("slack", "signed_identity"):
                return self._ask(ctx, self._field(flow, flow["pending"]),  # type: ignore[arg-type]
                                 "Your e-mail comes from your signed-in account, so I can't change it here.")
            try:
                email = validate_email(raw)
            except InvalidInput as exc:
                return self._ask(ctx, self._field(flow, flow["pending"]), exc.message)  # type: ignore[arg-type]
            ctx.conversation.requester_email = ctx.conversation.verified_via = ctx.conversation.verified_at = None
            values["email"] = email
            return self._send_code(ctx, email, preface="Thanks, I've updated your e-mail address.")
        field = self._field(flow, name)
        if field is None or (name not in values and name != "name"):
            return None
        try:
            values[name] = parse_field(field, raw, values)
        except InvalidInput as exc:
            return self._ask(ctx, field, exc.message)
        return self._ask_next(ctx, f"Thanks, I've updated your {field.label.lower()}.")

    # -- identity ---------------------------------------------------------------------------
    def _send_code(self, ctx: TurnContext, email: str, *, resent: bool = False, preface: str = "") -> Reply:
        try:
            if self.limiter and ctx.inbound.client_key:
                # Per client as well as per address (the store's limit): one client cannot spray codes.
                self.limiter.check(self.code_send_limit, "code", ctx.inbound.client_key,
                                   message="You've asked for several codes in a short time. Please wait a few minutes and try again.")
            issued = self.codes.issue(ctx.session, session_id=ctx.conversation.session_id, email=email, now=ctx.now)
        except RateLimited as exc:
            if resent:
                return self._ask(ctx, CODE, exc.message)
            ctx.state["flow"]["values"].pop("email", None)
            return self._ask(ctx, EMAIL, exc.message)
        enqueue(
            ctx.session, channel="email", kind="verification_code", recipient=email, now=ctx.now,
            subject="Your myKONE privacy helpdesk code",
            body=(f"Your verification code is {issued.code}.\n\nIt expires in 10 minutes. If you did not "
                  "ask for it, you can ignore this e-mail."),
        )
        ctx.queued = True
        sent = "I've sent a new code." if resent else f"I've sent a 6-digit code to {mask_email(email)}."
        return self._ask(ctx, CODE, " ".join(filter(None, [preface, sent])))

    def _verify(self, ctx: TurnContext, code: str) -> Reply:
        values = ctx.state["flow"]["values"]
        email = values["email"]
        try:
            self.codes.check(ctx.session, session_id=ctx.conversation.session_id, email=email, code=code, now=ctx.now)
        except VerificationFailed as exc:
            return self._ask(ctx, CODE, exc.message)
        conversation = ctx.conversation
        conversation.requester_email, conversation.verified_via, conversation.verified_at = email, "email_code", ctx.now
        values.pop("email", None)
        return self._ask_next(ctx, "Thank you, your e-mail address is confirmed.")

    # -- outcomes ---------------------------------------------------------------------------
    def _requester(self, ctx: TurnContext) -> Requester:
        """The conversation's requester, with the name given in this flow if there is one."""
        requester = requester_of(ctx.conversation)
        return replace(requester, name=ctx.state["flow"]["values"].get("name") or requester.name)

    def _file(self, ctx: TurnContext) -> Reply:
        flow = ctx.state["flow"]
        spec = FLOWS[flow["type"]]
        values = flow["values"]
        requester = self._requester(ctx)
        if not requester.verified:  # belt and braces: _next_field never gets here unverified
            return self._ask(ctx, EMAIL, "I need to confirm your e-mail address first.")
        details = {f.name: values[f.name] for f in spec.fields if f.applies(values) and f.name in values}
        details["summary"] = [[label, value] for label, value in spec.summary(values)]
        ticket = create_ticket(
            ctx.session, type=spec.type, requester=requester, verified_at=ctx.conversation.verified_at or ctx.now,
            channel=ctx.inbound.channel, details=details, now=ctx.now, company=values.get("company") or None,
            session_id=ctx.conversation.session_id,
        )
        if requester.name and not ctx.conversation.requester_name:
            ctx.conversation.requester_name = requester.name
        due = ticket.due_date.isoformat()
        receipt = (
            f"We have received your request.\n\nReference: {ticket.reference}\nType: {TYPE_LABELS[spec.type]}\n"
            f"Received: {ticket.received_at:%Y-%m-%d}\nDue date: {due}\n\nWhat happens next: {spec.next_steps} "
            "We'll tell you about every outcome. If we need more time, we'll tell you why before the due date.\n\n"
            f"To withdraw it, tell the privacy assistant \"withdraw my request {ticket.reference}\"."
        )
        notify_requester(ctx.session, ticket, kind="receipt", subject=f"Your privacy request {ticket.reference}",
                         body=receipt, now=ctx.now)
        if self.agent_channel:
            enqueue(ctx.session, channel="slack", kind="agent_new_ticket", recipient=self.agent_channel, now=ctx.now,
                    ticket_id=ticket.id, body=f"New {TYPE_LABELS[spec.type]} request {ticket.reference}, due {due}.",
                    payload={"reference": ticket.reference, "type": spec.type, "due_date": due, "channel": ticket.channel})
        ctx.queued = True
        ctx.state.pop("flow", None)
        where = "in a direct message" if ticket.channel == "slack" and ticket.slack_user_id else f"to {mask_email(ticket.requester_email)}"
        text = (
            f"Done — I've filed {spec.title}.\n\nReference: {ticket.reference}\nStatus: open\nDue by: {due} "
            f"(one calendar month from today)\n\n{spec.next_steps} I've sent a receipt {where}."
        )
        return ctx.reply(text, spec.type, ticket=summary(ticket))

    def _show_status(self, ctx: TurnContext, preface: str) -> Reply:
        ctx.state.pop("flow", None)
        tickets = requester_tickets(ctx.session, requester_of(ctx.conversation))
        if not tickets:
            text = "I couldn't find any requests filed under your verified identity."
            return ctx.reply("\n\n".join(filter(None, [preface, text])), "ticket_status", expecting=menu())
        lines = ["Here are your requests:"] + [_status_line(t) for t in tickets]
        return ctx.reply("\n\n".join(filter(None, [preface, "\n".join(lines)])), "ticket_status", ticket=summary(tickets[0]))

    def _own_open_ticket(self, ctx: TurnContext) -> Ticket | None:
        reference = ctx.state["flow"]["values"]["reference"]
        ticket = get_ticket(ctx.session, reference)
        mine = ticket is not None and ticket.id in {t.id for t in requester_tickets(ctx.session, requester_of(ctx.conversation), limit=500)}
        return ticket if mine else None

    def _confirm_withdrawal(self, ctx: TurnContext, preface: str) -> Reply:
        ticket = self._own_open_ticket(ctx)
        reference = ctx.state["flow"]["values"]["reference"]
        if ticket is None:
            ctx.state.pop("flow", None)
            text = f"I couldn't find a request {reference} filed under your verified identity."
            return ctx.reply("\n\n".join(filter(None, [preface, text])), "cancel", expecting=menu())
        if ticket.status not in ("open", "in_progress"):
            ctx.state.pop("flow", None)
            text = f"Request {reference} is already {STATUS_LABELS[ticket.status]}, so it can't be withdrawn."
            return ctx.reply("\n\n".join(filter(None, [preface, text])), "cancel", ticket=summary(ticket))
        prompt = (f"Withdraw request {ticket.reference} ({TYPE_LABELS.get(ticket.type, ticket.type)}, "
                  f"{STATUS_LABELS[ticket.status]})? The privacy team will stop working on it.")
        return self._ask(ctx, replace(WITHDRAW_CONFIRM, prompt=prompt), preface)

    def _withdraw(self, ctx: TurnContext) -> Reply:
        ticket = self._own_open_ticket(ctx)
        ctx.state.pop("flow", None)
        if ticket is None or ticket.status not in ("open", "in_progress"):
            return ctx.reply("That request can no longer be withdrawn.", "cancel", expecting=menu())
        apply_action(ctx.session, ticket, ActionRequest("withdraw"), actor="requester", now=ctx.now)
        ctx.queued = True
        return ctx.reply(f"Request {ticket.reference} has been withdrawn. I've sent you a confirmation.",
                         "cancel", ticket=summary(ticket))


def _verified(ctx: TurnContext) -> bool:
    c = ctx.conversation
    return bool(c.verified_via and (c.requester_email or c.slack_user_id))


def _flow_intent(flow: dict[str, Any]) -> str:
    return FLOW_INTENTS.get(flow["type"], flow["type"])


def _label(citation: Citation) -> str:
    return citation.title if citation.section == "intro" else f"Section {citation.section} – {citation.title}"


def _status_line(ticket: Ticket) -> str:
    return (f"• {ticket.reference} — {TYPE_LABELS.get(ticket.type, ticket.type)} — "
            f"{STATUS_LABELS.get(ticket.status, ticket.status)} — due {ticket.due_date.isoformat()}")
