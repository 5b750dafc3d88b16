"""The intent classifier holds ≥ 95% on the held-out labelled set in knowledge/eval/intents.yaml."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.answering.intents import load_examples
from bot.types import INTENTS
from knowledge.evaluation import INTENT_SET

TEST_SET = INTENT_SET


def test_the_test_set_is_big_varied_and_held_out() -> None:
    items = yaml.safe_load(TEST_SET.read_text(encoding="utf-8"))
    assert len(items) >= 150
    counts = Counter(item["intent"] for item in items)
    assert set(counts) == set(INTENTS) and min(counts.values()) >= 10
    training = {t.lower() for texts in load_examples().values() for t in texts}
    assert not [item["text"] for item in items if item["text"].lower() in training]


def test_accuracy_on_the_held_out_set(understanding: Any) -> None:
    _, classifier, _ = understanding
    items = yaml.safe_load(TEST_SET.read_text(encoding="utf-8"))
    wrong = [(i["text"], i["intent"], classifier.classify(i["text"]).intent) for i in items]
    wrong = [w for w in wrong if w[1] != w[2]]
    accuracy = 1 - len(wrong) / len(items)
    assert accuracy >= 0.95, f"{accuracy:.1%}; misses: {wrong}"


def test_questions_about_rights_are_questions_and_wishes_are_requests(understanding: Any) -> None:
    _, classifier, _ = understanding
    assert classifier.classify("what happens if I ask you to delete my data?").intent == "question"
    assert classifier.classify("how do I delete cookies?").intent == "question"
    assert classifier.classify("please delete my data").intent == "deletion"
    assert classifier.classify("withdraw my request PRV-AB12-CD34").intent == "cancel"
    assert classifier.classify("any news on PRV-AB12-CD34?").intent == "ticket_status"


def test_a_trained_model_is_cached_and_reused(embeddings: Any, tmp_path: Path) -> None:
    from bot.answering.intents import IntentClassifier

    examples = {
        "greeting": ["hello", "hi there", "good morning"],
        "question": ["what data do you keep?", "how long is data stored?", "who is the controller?"],
    }
    first = IntentClassifier(embeddings, examples=examples, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("intents-*.npz"))) == 1
    second = IntentClassifier(embeddings, examples=examples, cache_dir=tmp_path)
    assert (first.weights == second.weights).all()
    assert second.classify("hey, good morning!").intent == "greeting"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Questions about requests in general, or about the data, are not status questions.
        ("can a deletion request be withdrawn once it has been sent?", "question"),
        ("is my data removed after some time", "question"),
        ("any news on the objection I sent last week?", "ticket_status"),
        # A request's words followed by "how?", a hypothetical or a topic query: answer and offer.
        ("withdraw consent how?", "question"),
        ("in case I ask for deletion, will I lose my portal account?", "question"),
        ("consequences of objecting to processing", "question"),
        # Asked for: an imperative after a question or a comma, a stated wish, a relayed request.
        ("what do you store about me? send it to me", "access"),
        ("my data is wrong, fix it please", "rectification"),
        ("I don't want to receive any more surveys from KONE", "marketing_objection"),
        ("my colleague asked me to get her phone number deleted from the portal", "deletion"),
    ],
)
def test_questions_are_answered_and_requests_started(understanding: Any, message: str, intent: str) -> None:
    from bot.answering.understanding import Understanding

    _, classifier, answerer = understanding
    assert Understanding(message, classifier, answerer).intent == intent
