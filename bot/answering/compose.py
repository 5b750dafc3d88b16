"""How an answer reads: a direct answer in the statement's own words first, then the quotation.

The direct answer is the best passage, trimmed ("Furthermore, " and "(please see …)" go; a long
sentence is cut at a clause), with "Yes — " when a yes/no question is plainly affirmed by it, and
a list kept as a list ("• " one item per line). The quotation follows as "> " lines with its
section, which the widget folds when long; `citations` always carry the full quote.
"""

from __future__ import annotations

import re
from typing import Any

from knowledge.lexical import tokens

MAX_DIRECT = 300  # characters of the direct answer's sentence before it is cut at a clause
MAX_ITEMS = 9
CONTACT_LEAD = "For what the statement doesn't cover, you can ask KONE directly through the contact channel in"
_CONNECTIVE = re.compile(
    r"^(furthermore|further|also|however|kindly note that|please note that|in other cases),\s*", re.I
)
_ASIDE = re.compile(r"\s*\((?:please )?see [^)]*\)", re.I)
_YES_NO = re.compile(r"^\W*(?:and |so |ok |also )?(do|does|is|are|can|could|will|would|may|might|should|shall)\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|cannot|can't|don't|doesn't|won't|isn't|aren't|nor)\b", re.I)


def trim(sentence: str) -> str:
    """The sentence as a direct answer: no leading connective or pointer aside, not too long."""
    text = _ASIDE.sub("", _CONNECTIVE.sub("", sentence.strip()))
    if len(text) > MAX_DIRECT:
        cut = max(text.rfind(", ", 0, MAX_DIRECT), text.rfind("; ", 0, MAX_DIRECT))
        text = (text[:cut] if cut > MAX_DIRECT // 2 else text[:MAX_DIRECT].rsplit(" ", 1)[0]) + " …"
    return text[:1].upper() + text[1:]


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {item.rstrip(';').removesuffix(' and').rstrip(';, ')}" for item in items[:MAX_ITEMS])


def affirms(question: str, sentence: str) -> bool:
    """A yes/no question that the sentence plainly affirms: it shares most of the question's
    content words and negates nothing (a negation, a condition or a partial match gets no prefix)."""
    if not _YES_NO.match(question) or _NEGATION.search(question) or _NEGATION.search(sentence):
        return False
    asked = set(tokens(question)) - {"kone", "portal", "customer"}
    said = set(tokens(sentence))
    return len(asked) >= 2 and len(asked & said) / len(asked) >= 0.6


def direct_answer(question: str, retrieval: Any) -> str:
    """One or two plain sentences (or a short list) from the best passage of the first quote."""
    quote = retrieval.quotes[0]
    best = retrieval.top.passage if retrieval.top is not None else quote.passages[0]
    if best not in quote.passages:
        best = quote.passages[0]
    if best.text.endswith(":") or best.lead:
        lead = best.text if best.text.endswith(":") else best.lead
        items = [p.text for p in quote.passages if p.lead == lead]
        return f"{trim(lead)}\n{_bullets(items)}" if items else trim(lead)
    sentence = trim(best.text)
    if affirms(question, best.text):
        return f"Yes — {sentence[:1].lower()}{sentence[1:]}"
    return sentence


def quoted(quotes: tuple[Any, ...]) -> str:
    """The quotations, each as "> " lines followed by the section it comes from."""
    parts = []
    for quote in quotes:
        lines = "\n".join(f"> {line}" for line in quote.text.splitlines())
        parts.append(f"{lines}\n— {quote.section.label}")
    return "\n\n".join(parts)


def nearest_topic(retrieval: Any, probabilities: dict[str, float]) -> tuple[Any, ...]:
    """The first quote, when it is close enough to the question to help (never as the answer)."""
    evidence = retrieval.evidence
    helps = evidence.dense >= 0.45 and probabilities.get("declined", 1.0) < 0.5
    return retrieval.quotes[:1] if helps and retrieval.quotes else ()


def not_stated_text(nearest: tuple[Any, ...], contact: tuple[Any, ...]) -> str:
    """Says plainly the statement does not cover the point, shows the nearest topic labelled as
    such, and points to Section 1's contact channel."""
    parts = ["The privacy statement doesn't say that — it doesn't cover this point."]
    for quote in nearest:
        parts.append(f"The nearest topic it covers is in {quote.section.label}, which says:\n{quoted((quote,))}")
    if contact:
        parts.append(f"{CONTACT_LEAD} {contact[0].section.label}:\n{quoted(contact)}")
    return "\n\n".join(parts)
