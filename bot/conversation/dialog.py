"""Walking a flow: ask, validate, verify the requester, confirm, then hand over to its completion.

Every flow of `bot.flows` is walked the same way: its own fields, then (for requests) the
requester's name and company, then identity (e-mail and code, unless the channel vouches for
it), then the fields that need a verified requester (their prompts come from the completion:
they show the requester's own records), then the confirmation its completion words, then the
completion (`completion.py`). The state is `ctx.flow` (a `FlowState`); questions asked mid-flow
are answered by `answer.answer`.
"""

from __future__ import annotations

from typing import Any

from bot.access.identity import CodeVerifier
from bot.access.ratelimit import RateLimiter
from bot.conversation.answer import answer
from bot.conversation.completion import Completer, completers
from bot.conversation.state import FlowState
from bot.conversation.turn import TurnContext, menu
from bot.errors import InvalidInput, RateLimited, VerificationFailed
from bot.flows import CODE, COMPANY, EMAIL, FLOWS, IDENTITY_FIELDS, NAME, FieldSpec, FlowSpec, parse_field
from bot.store.outbox import enqueue
from bot.types import Choice, Citation, Expecting, Reply
from bot.validation import mask_email, validate_code, validate_email

RESEND_CHOICES = (Choice("resend_code", "Send a new code"), Choice("change_email", "Use a different e-mail"))
CODE_LIMIT_MESSAGE = "You've asked for several codes in a short time. Please wait a few minutes and try again."


class Dialog:
    """The flow walker. Stateless between turns: everything it needs is in the TurnContext."""

    def __init__(
        self,
        *,
        codes: CodeVerifier,
        statement: Any,
        agent_channel: str | None,
        limiter: RateLimiter | None = None,
        code_send_limit: str = "3/15minutes",
        public_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self.codes = codes
        self.statement = statement
        self.limiter = limiter
        self.code_send_limit = code_send_limit
        self.completers = completers(agent_channel=agent_channel, public_url=public_url)

    # -- starting ---------------------------------------------------------------------------
    def start(self, ctx: TurnContext, flow_type: str, *, values: dict[str, str] | None = None) -> Reply:
        """Begin a flow (replacing any offer), with values already known (a reference in the message,
        or answers the first message already gave: "my phone number is wrong, it should be …")."""
        spec = FLOWS[flow_type]
        ctx.state.flow = flow = FlowState(type=flow_type, since=ctx.first_turn_id())
        ctx.state.offer = ()
        given = spec.given(ctx.text) if spec.files_ticket and not ctx.action else {}
        for name, value in given.items():
            flow.answer(name, value)
        flow.values.update(values or {})
        preface = spec.intro_unverified if spec.intro_unverified and not ctx.verified else spec.intro
        noted = [f"{label}: {value}" for label, value in spec.summary(given)]
        if noted:
            preface += "\n\nFrom your message I've noted — " + "; ".join(noted) + "."
        # The question comes first; what the statement says about it, and how to go back, follow.
        after: list[str] = []
        citations: tuple[Citation, ...] = ()
        citation = self._consequence(spec)
        if citation is not None:
            # The attribution line follows the quote, as in answers (the widget makes it the card's caption).
            quote = "\n".join(f"> {line}" for line in citation.quote.splitlines())
            after.append(f"Before you answer, note what the privacy statement says:\n{quote}\n— {_label(citation)}")
            citations = (citation,)
        if spec.files_ticket:
            after.append('You can say "back" to change an answer or "cancel" to stop at any time.')
        return self._ask_next(ctx, preface, citations, after="\n\n".join(after))

    def _consequence(self, spec: FlowSpec) -> Citation | None:
        passage = self.statement.passage(spec.consequence_passage) if spec.consequence_passage else None
        section = self.statement.section(passage.section) if passage else None
        return Citation(section.number, section.title, passage.text) if passage and section else None

    # -- continuing -------------------------------------------------------------------------
    def pending_kind(self, flow: FlowState) -> str | None:
        """The kind of the field a flow waits for ("text", "choice", ...), if it is known."""
        field = self._field(flow, flow.pending)
        return field.kind if field else None

    def continue_flow(self, ctx: TurnContext) -> Reply:
        flow = ctx.flow
        field = self._field(flow, flow.pending)
        u = ctx.understanding
        typed = not ctx.action  # a typed message, not a click
        if ctx.action == "cancel" or (typed and u.cancel):
            return self._cancel(ctx)
        if field is None:  # stale state (e.g. a spec changed between releases): re-ask
            return self._ask_next(ctx, "")
        if ctx.action == "back" or (typed and u.back):
            return self._back(ctx)
        if field.name == "code" and (ctx.action == "resend_code" or (typed and u.resend)):
            return self._send_code(ctx, flow.values["email"], resent=True)
        if field.name == "code" and ctx.action == "change_email":
            flow.values.pop("email", None)
            return self._ask_next(ctx, "")
        if typed and u.correction and u.correction[0] != field.name and not field.verbatim:
            reply = self._correct(ctx, *u.correction)
            if reply is not None:
                return reply
        if typed and not ctx.text:
            return self._ask(ctx, field, "")
        if field.kind == "text" and not field.verbatim and ctx.text.endswith("?") and u.asks_question:
            return self._answer_then_ask(ctx, field)
        try:
            value = self._parse(ctx, field)
        except InvalidInput as exc:
            if field.kind != "text" and typed and (u.asks_question or u.intent == "out_of_scope"):
                return self._answer_then_ask(ctx, field)
            hint = ""
            other = FLOWS.get(u.intent) if typed else None
            if other is not None and other.files_ticket and u.intent != flow.type and u.prediction.confidence > 0.7:
                hint = f' (If you\'d rather file {other.title}, say "cancel" first.)'
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
        return parse_field(field, ctx.text, ctx.flow.values, ctx.action)

    def _accept(self, ctx: TurnContext, field: FieldSpec, value: str) -> Reply:
        flow = ctx.flow
        if field.name == "email":
            flow.values["email"] = value
            return self._send_code(ctx, value)
        if field.name == "code":
            return self._verify(ctx, value)
        if field.name == "confirm":
            if value == "no":
                return self._cancel(ctx)
            flow.values["confirm"] = value
            return self._ask_next(ctx, "")
        flow.answer(field.name, value)
        return self._ask_next(ctx, "")

    # -- asking -----------------------------------------------------------------------------
    def _next_field(self, ctx: TurnContext) -> FieldSpec | None:
        """The next thing to ask, or None when the flow is ready for its completion."""
        flow = ctx.flow
        spec, values = flow.spec, flow.values
        for field in spec.fields:
            if field.applies(values) and field.name not in values and not field.after_identity:
                return field
        if spec.files_ticket:
            if not ctx.conversation.requester_name and "name" not in values:
                return NAME
            if "company" not in values:
                return COMPANY
        if not ctx.verified:
            return CODE if "email" in values else EMAIL
        for field in spec.fields:
            if field.after_identity and field.applies(values) and field.name not in values:
                return field
        if spec.confirm is not None and "confirm" not in values:
            return spec.confirm
        return None

    def _field(self, flow: FlowState, name: str | None) -> FieldSpec | None:
        spec = flow.spec
        if not name:
            return None
        if name == "confirm":
            return spec.confirm
        return spec.field(name) or IDENTITY_FIELDS.get(name)

    def _completer(self, ctx: TurnContext) -> Completer:
        return self.completers[ctx.flow.spec.completion]

    def _ask_next(
        self, ctx: TurnContext, preface: str, citations: tuple[Citation, ...] = (), *, after: str = ""
    ) -> Reply:
        field = self._next_field(ctx)
        if field is None:
            return self._completer(ctx).complete(ctx, preface)
        return self._ask(ctx, field, preface, citations, after=after)

    def _ask(
        self,
        ctx: TurnContext,
        field: FieldSpec,
        preface: str,
        citations: tuple[Citation, ...] = (),
        *,
        after: str = "",
        prompt: str | None = None,
    ) -> Reply:
        """Ask `field`: the preface, the question (`prompt` instead of the field's own, when the
        preface already said part of it), then `after`."""
        flow = ctx.flow
        choices = field.choices
        if field.name == "code":
            prompt = prompt or field.prompt.format(email=mask_email(flow.values.get("email")))
            choices = RESEND_CHOICES
        prompt = prompt or field.prompt
        if field.name == "confirm" or field.after_identity:
            completer = self._completer(ctx)
            worded = (
                completer.confirmation(ctx, preface)
                if field.name == "confirm"
                else completer.prompt(ctx, field, preface)
            )
            if isinstance(worded, Reply):
                return worded  # nothing left to ask: the completion ended the flow
            prompt = worded
        flow.pending = field.name
        expecting = Expecting(field.name, field.kind, prompt, choices)
        text = "\n\n".join(part for part in (preface, prompt, after) if part)
        return ctx.reply(text, flow.spec.turn_intent, citations=citations, expecting=expecting)

    def _answer_then_ask(self, ctx: TurnContext, field: FieldSpec) -> Reply:
        asked = self._ask(ctx, field, "")
        if asked.expecting is None:  # the flow ended while re-asking (its ticket was withdrawn meanwhile)
            return asked
        return answer(ctx, suffix=f"\n\nNow, back to your request: {asked.expecting.prompt}", expecting=asked.expecting)

    # -- navigation -------------------------------------------------------------------------
    def _cancel(self, ctx: TurnContext) -> Reply:
        what = "Nothing was filed." if ctx.flow.spec.files_ticket else "Nothing was changed."
        ctx.end_flow()
        return ctx.reply(f"Cancelled. {what} Is there anything else I can help with?", "cancel", expecting=menu())

    def _back(self, ctx: TurnContext) -> Reply:
        if ctx.flow.undo_last() is None:
            return self._ask_next(ctx, "We're at the first question.")
        return self._ask_next(ctx, "Sure, let's change that.")

    def _correct(self, ctx: TurnContext, name: str, raw: str) -> Reply | None:
        """ "Actually my e-mail is …": update an earlier answer, then ask the pending question again."""
        flow = ctx.flow
        values = flow.values
        pending = self._field(flow, flow.pending)
        assert pending is not None
        if name == "email":
            if ctx.conversation.verified_via in ("slack", "signed_identity"):
                return self._ask(
                    ctx, pending, "Your e-mail comes from your signed-in account, so I can't change it here."
                )
            try:
                email = validate_email(raw)
            except InvalidInput as exc:
                return self._ask(ctx, pending, exc.message)
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
        if name in IDENTITY_FIELDS:
            return self._ask_next(ctx, f"Thanks, I've updated your {field.label.lower()}.")
        # A request's label names a question ("What is wrong"): quoted, never "your what is wrong".
        return self._ask_next(ctx, f"Thanks, I've updated “{field.label}” to: {field.display(values[name])}.")

    # -- identity ---------------------------------------------------------------------------
    def _send_code(self, ctx: TurnContext, email: str, *, resent: bool = False, preface: str = "") -> Reply:
        try:
            if self.limiter and ctx.inbound.client_key:
                # Per client as well as per address (the store's limit): one client cannot spray codes.
                self.limiter.check(self.code_send_limit, "code", ctx.inbound.client_key, message=CODE_LIMIT_MESSAGE)
            issued = self.codes.issue(ctx.session, session_id=ctx.conversation.session_id, email=email, now=ctx.now)
        except RateLimited as exc:
            if resent:
                return self._ask(ctx, CODE, exc.message)
            ctx.flow.values.pop("email", None)
            return self._ask(ctx, EMAIL, exc.message)
        enqueue(
            ctx.session,
            channel="email",
            kind="verification_code",
            recipient=email,
            now=ctx.now,
            subject="Your myKONE privacy helpdesk code",
            body=(
                f"Your verification code is {issued.code}.\n\nIt expires in 10 minutes. If you did not "
                "ask for it, you can ignore this e-mail."
            ),
        )
        ctx.queued = True
        # One sentence says it was sent and what to do: never "I've sent a code… type the code I sent".
        what = "a new code" if resent else "a 6-digit code"
        prompt = f"I've sent {what} to {mask_email(email)}. Please type it here; it's valid for 10 minutes."
        return self._ask(ctx, CODE, preface, prompt=prompt)

    def _verify(self, ctx: TurnContext, code: str) -> Reply:
        values = ctx.flow.values
        email = values["email"]
        try:
            self.codes.check(ctx.session, session_id=ctx.conversation.session_id, email=email, code=code, now=ctx.now)
        except VerificationFailed as exc:
            return self._ask(ctx, CODE, exc.message)
        conversation = ctx.conversation
        conversation.requester_email, conversation.verified_via, conversation.verified_at = email, "email_code", ctx.now
        values.pop("email", None)
        return self._ask_next(ctx, "Thank you, your e-mail address is confirmed.")


def _label(citation: Citation) -> str:
    return citation.title if citation.section == "intro" else f"Section {citation.section} – {citation.title}"
