"""The answer pipeline as the evaluation sees it: classify, then answer or decline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.answering.answers import Answerer
from bot.answering.intents import IntentClassifier
from bot.answering.understanding import Understanding
from knowledge.evaluation import Outcome


def pipeline_outcome(classifier: IntentClassifier, answerer: Answerer, knowledge: Any) -> Callable[[str], Outcome]:
    """What the bot does with a top-level question, plus the retriever's ranking for hit@k."""

    def run(question: str) -> Outcome:
        ranked = tuple((h.passage.section, h.passage.text) for h in knowledge.search(question).hits[:3])
        understanding = Understanding(question, classifier, answerer)
        if understanding.intent in ("out_of_scope", "greeting"):
            return Outcome((), "", ranked)
        answer = understanding.answer
        return Outcome(tuple(c.section for c in answer.citations), " ".join(c.quote for c in answer.citations), ranked)

    return run
