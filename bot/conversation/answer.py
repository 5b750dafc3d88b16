"""Answering inside a conversation: quote the statement (or decline) and offer the request it concerns.

Both the engine (a top-level question) and the walker (a question asked in the middle of a
request) call `answer`; neither calls back into the other.
"""

from __future__ import annotations

from bot.answering.answers import DECLINE
from bot.conversation.turn import TurnContext
from bot.flows import FLOWS, start_choices
from bot.types import Choice, Expecting, Reply

OFFER_PROMPT = "Would you like to start a request?"
MAX_OFFERS = 2


def answer(ctx: TurnContext, *, suffix: str = "", expecting: Expecting | None = None) -> Reply:
    """Answer from the statement (or decline); outside a flow, offer the request the answer is about."""
    found = ctx.understanding.answer
    if not found.answered:
        ctx.outcome = "declined"
        return ctx.reply(DECLINE + suffix, "out_of_scope", expecting=expecting)
    ctx.outcome = "answered"
    if expecting is None and ctx.state.flow is None:
        related = rank_offers(ctx, found.related_requests)
        if related:
            ctx.state.offer = related
            labels = " or ".join(FLOWS[t].title for t in related)
            suffix += f"\n\nIf you'd like, I can help you file {labels}."
            expecting = Expecting(
                "offer", "choice", OFFER_PROMPT, (*start_choices(list(related)), Choice("no", "No, thanks"))
            )
    return ctx.reply(found.text + suffix, "question", citations=found.citations, expecting=expecting)


def rank_offers(ctx: TurnContext, related: tuple[str, ...]) -> tuple[str, ...]:
    """Most likely request first, judged by the classifier's view of the question."""
    scores = ctx.understanding.prediction.scores
    return tuple(sorted(related, key=lambda t: -scores.get(t, 0.0)))[:MAX_OFFERS]
