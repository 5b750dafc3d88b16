"""The evidence retrieval found for a question, as numbers a learned decision can weigh.

The retriever ranks passages; whether the best of them answers the question is decided elsewhere
(`bot.answering.decision`), from these features: how close the question is to the passage's own
words and to the questions its hints stand for, how much of the question's content the passage
covers, how far ahead of the runner-up it is, and how close the question is to a privacy topic
the statement is known not to cover.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Evidence:
    """Numbers describing the best match of one question (all roughly in [0, 1] or small counts)."""

    score: float  # fused score of the best passage
    dense: float  # best dense similarity of the best passage (its text or a hint)
    text: float  # dense similarity of the best passage's own text
    hint: float  # best dense similarity of one of the best passage's hints
    best_text: float  # best dense similarity of any passage's own text (hints aside)
    best_hint: float  # best dense similarity of any hint
    context: float  # best chunk similarity of the best passage's section
    lexical: float  # scaled BM25 of the best passage
    margin: float  # best score minus the runner-up's
    section_margin: float  # best score minus the best passage of another section
    unanswered: float  # best similarity of a known-unanswered topic
    unanswered_gap: float  # unanswered minus dense: > 0 when the question is closer to a gap
    named: float  # 1 when the question names a word peculiar to a nearby unanswered topic
    coverage: float  # share of the question's content terms found in the best passage's document
    coverage_top3: float  # ... in any of the three best passages' documents
    section_coverage: float  # ... anywhere in the best passage's section (text, titles, hints)
    known: float  # share of the question's terms the statement's vocabulary knows (after typo repair)
    terms: float  # number of content terms in the question (capped at 12, scaled to [0, 1])

    def features(self) -> dict[str, float]:
        """Name → value, in a fixed order."""
        return {name: float(value) for name, value in asdict(self).items()}


NO_EVIDENCE = Evidence(*([0.0] * 18))
