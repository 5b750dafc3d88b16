"""Answering inside a conversation: answer from the statement (or say it does not say, or decline)
and offer the request the question concerns.

Both the engine (a top-level question) and the walker (a question asked in the middle of a
request) call `answer`; neither calls back into the other. A message in another language gets,
in its language, what the bot can do and that it answers in English, before the English answer.
"""

from __future__ import annotations

from bot.answering import language
from bot.answering.answers import DECLINE
from bot.conversation.turn import TurnContext
from bot.flows import FLOWS, start_choices
from bot.types import Choice, Expecting, Reply

OFFER_PROMPT = "Would you like to start a request?"
MAX_OFFERS = 2


def answer(ctx: TurnContext, *, suffix: str = "", expecting: Expecting | None = None, offer: bool = True) -> Reply:
    """Answer from the statement (or decline); outside a flow, offer the request the answer is about
    (unless `offer` is off: one part of a message whose other part starts or offers something)."""
    u = ctx.understanding
    if u.language != "en" and not u.understood:
        ctx.outcome = "declined"
        return ctx.reply(foreign(u.language, language.phrase(u.language, "write_in_english")) + suffix, "out_of_scope")
    found = u.answer
    if found.outcome == "declined":
        ctx.outcome = "declined"
        return ctx.reply(foreign(u.language, DECLINE) + suffix, "out_of_scope", expecting=expecting)
    ctx.outcome = "does_not_say" if found.outcome == "not_stated" else "answered"
    ctx.state.last_question = found.query or ctx.text
    if offer and expecting is None and ctx.state.flow is None:
        related = u.offers[:MAX_OFFERS]
        if related:
            ctx.state.offer = related
            labels = " or ".join(FLOWS[t].title for t in related)
            suffix += f"\n\nIf you'd like, I can help you file {labels}."
            expecting = Expecting(
                "offer", "choice", OFFER_PROMPT, (*start_choices(list(related)), Choice("no", "No, thanks"))
            )
    text = foreign(u.language, found.text, follows=True)
    return ctx.reply(text + suffix, "question", citations=found.citations, expecting=expecting)


def foreign(code: str, text: str, *, follows: bool = False) -> str:
    """`text` after the notice in the user's language, when that is not English."""
    if code == "en":
        return text
    lines = [language.notice(code)]
    if follows:
        lines.append(language.phrase(code, "answer_follows"))
    return "\n\n".join([*lines, text])
