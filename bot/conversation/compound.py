"""A message that asks several things at once: "can you forget me? also who is responsible for my data?".

The engine splits such a message into its parts (`split_parts`), analyses each on its own before
the turn, and `handle_parts` answers every question among them, in order, then starts the one
request the message asks for — saying which part each answer is about, and naming any part it
left for later (a second request, something outside the statement).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.conversation.answer import answer
from bot.conversation.turn import TurnContext
from bot.flows import FLOWS, REQUEST_TYPES
from bot.types import Citation, Reply

MAX_PARTS = 3
# A new part starts after a question mark, or at "also" / "and also" / "another question" after
# a sentence ended or a comma ("…my data, also who…").
_SPLIT = re.compile(
    r"(?<=\?)\s+|(?:(?<=[.!?,;])|(?<=\band))\s*(?=\b(?:also|plus|another question|one more thing)\b)", re.I
)
_LEAD = re.compile(r"^\s*(?:and\s+)?(?:also|plus|another question|one more thing)\b[\s,:]*", re.I)
_TAIL = re.compile(r"(?:[\s,;]+and)?[\s,;]*$", re.I)  # "delete my data, and" | also …
_WANTS = {*REQUEST_TYPES, "ticket_status"}


def split_parts(text: str) -> list[str]:
    """The separate asks of a message (one item for the usual message). A part of fewer than three
    words ("ok?", "thanks") joins the part before it."""
    parts: list[str] = []
    for raw in _SPLIT.split(text.strip()):
        part = _TAIL.sub("", _LEAD.sub("", raw or ""))
        if not part:
            continue
        if parts and len(part.split()) < 3:
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    if len(parts) > MAX_PARTS:
        return [text.strip()]  # a long paragraph, not a list of asks: read as one message
    return parts


def handle_parts(ctx: TurnContext, start: Callable[[TurnContext, str], Reply]) -> Reply | None:
    """Answer each question part and start the first request part; None when the message is really
    one ask (then the engine reads it as a whole)."""
    parts = ctx.parts
    questions = [p for p in parts if p.intent == "question"]
    wanted = [p for p in parts if p.intent in _WANTS]
    if not questions or len(questions) + len(wanted) < 2:
        return None
    whole, notes = ctx.understanding, ctx.notes
    ctx.notes = []  # said once, before the whole reply
    texts: list[str] = []
    citations: list[Citation] = []
    left: list[str] = []
    last: Reply | None = None
    try:
        for part in parts:
            ctx.understanding = part
            if part.intent == "question":
                said = answer(ctx, offer=not wanted and part is questions[-1])
                texts.append(f"You asked: “{part.text}”\n\n{said.reply}")
                citations.extend(said.citations)
                last = said
            elif part.intent == "out_of_scope":
                left.append(f"“{part.text}” is not something the privacy statement covers, so I've left it out.")
        if wanted:
            first = wanted[0]
            ctx.understanding = first
            started = start(ctx, _flow(first.intent))
            for other in wanted[1:]:
                left.append(f"When this is done, ask me again for {FLOWS[_flow(other.intent)].title} (“{other.text}”).")
            texts.append(f"And for “{first.text}”: {started.reply}")
            citations.extend(started.citations)
            last = started
    finally:
        ctx.understanding, ctx.notes = whole, notes
    assert last is not None  # there was at least one question
    return ctx.reply(
        "\n\n".join([*texts, *left]),
        last.intent,
        citations=tuple(citations),
        expecting=last.expecting,
        continue_in_dm=last.continue_in_dm,
    )


def _flow(intent: str) -> str:
    return "status" if intent == "ticket_status" else intent
