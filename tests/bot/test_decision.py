"""The learned answer decision: three outcomes, calibrated, cached, and the reply each one gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.answering.compose import affirms, trim
from bot.answering.decision import FEATURES, OUTCOMES, TRAINING_SETS, Decider, fit, followup_examples, load_examples
from knowledge.evaluation import FOLLOWUP_SETS, SUITES
from knowledge.yamlfile import load_yaml


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("How long do you keep my data?", "answered"),
        ("which cookies does the portal use", "answered"),
        ("do you sell my data to advertisers?", "not_stated"),
        ("who is your data protection officer?", "not_stated"),
        ("has KONE been hacked?", "not_stated"),
        ("how much does a new elevator cost?", "declined"),
        ("what's the weather in Helsinki?", "declined"),
    ],
)
def test_three_outcomes(understanding: Any, question: str, outcome: str) -> None:
    _, _, answerer = understanding
    answer = answerer.answer(question)
    assert answer.outcome == outcome, answer.probabilities
    assert set(answer.probabilities) == set(OUTCOMES)
    assert abs(sum(answer.probabilities.values()) - 1.0) < 1e-6


def test_not_stated_says_so_labels_the_nearest_topic_and_points_to_section_1(understanding: Any) -> None:
    _, _, answerer = understanding
    answer = answerer.answer("do you sell my data to advertisers?")
    assert answer.outcome == "not_stated" and not answer.answered
    assert answer.text.startswith("The privacy statement doesn't say that")
    assert "Personal Data Enquiry" in answer.text and "Section 1" in answer.text
    assert not answer.text.startswith(("Yes", "No"))
    if "nearest topic" in answer.text:  # quoted only when it helps, and then labelled as such
        assert answer.text.index("nearest topic") < answer.text.index("> ")
    assert answer.related_requests == ()  # a nearby passage never passes for the answer's subject


def test_a_decline_has_no_citations(understanding: Any) -> None:
    _, _, answerer = understanding
    answer = answerer.answer("tell me a joke about elevators")
    assert answer.outcome == "declined" and answer.citations == () and "privacy statement" in answer.text


def test_training_data_has_every_kind_of_example() -> None:
    examples = load_examples()
    kinds = {e.kind for e in examples}
    assert {"answerable", "near_miss", "off_topic"} <= kinds
    near = [e for e in examples if e.kind == "off_topic" and e.near == "domain"]
    assert len(near) >= 50 and sum(e.kind == "near_miss" for e in examples) >= 40


def test_the_decision_never_learns_from_the_held_out_suite() -> None:
    held_out = set(SUITES["held-out"].values())
    assert not held_out & {*TRAINING_SETS, *FOLLOWUP_SETS}
    asked = {str(i["question"]).casefold() for i in load_yaml(SUITES["held-out"]["answers"]) or []}
    trained = {e.text.casefold() for e in load_examples() + followup_examples()}
    assert asked and not asked & trained


def test_follow_ups_are_learned_as_read_in_context_and_off_topic_stays_declined() -> None:
    examples = followup_examples()
    answerable = [e for e in examples if e.kind == "answerable"]
    declines = [e for e in examples if e.kind == "off_topic"]
    assert answerable and declines
    assert all(e.text.endswith(")") and " (" in e.text for e in examples)  # the reading `followup` makes
    assert all(e.label == 2 for e in declines)


def test_a_question_in_two_sets_is_trained_on_once(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text('- {question: "Who sees my data?", sections: ["intro"], expect: ["x"]}\n')
    second.write_text('- {question: "who sees my data?", sections: ["intro"], expect: ["x"]}\n')
    assert [e.text for e in load_examples(first, second)] == ["Who sees my data?"]


def test_calibrated_thresholds_come_from_out_of_fold_predictions() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 40)
    x = rng.normal(size=(120, 3)) + np.eye(3)[y] * 2.5
    model = fit(x, y, ["a", "b", "c"])
    p = model.probabilities(x)
    assert np.allclose(p.sum(axis=1), 1.0) and float(model.arrays["temperature"][0]) > 0
    predicted = [OUTCOMES.index(model.outcome(row)) for row in p]
    assert np.mean(np.array(predicted) == y) > 0.85
    assert float(model.arrays["c"][0]) in (0.03, 0.1, 0.3, 1.0)  # the strength the folds chose


def test_the_model_is_cached_by_content_and_reused(understanding: Any, tmp_path: Path) -> None:
    knowledge, classifier, answerer = understanding
    examples = load_examples()[::6]  # a small set keeps this quick

    def build() -> Decider:
        return Decider(
            answerer.decider.embeddings,
            intent_scores=lambda t: classifier.classify(t).scores,
            request_types=answerer.decider.request_types,
            examples=examples,
            cache_dir=tmp_path,
        )

    first = build().prepare(knowledge.search, "fingerprint")
    assert len(list(tmp_path.glob("decision-*.npz"))) == 1
    second = build().prepare(knowledge.search, "fingerprint")
    assert np.array_equal(first.arrays["coef"], second.arrays["coef"])
    build().prepare(knowledge.search, "another index")  # other knowledge: another model
    assert len(list(tmp_path.glob("decision-*.npz"))) == 2
    assert first.names == tuple(n for n in FEATURES if n in first.names)


def test_direct_answers_are_trimmed_and_only_plain_affirmations_say_yes() -> None:
    assert trim("Furthermore, KONE may also be obliged by law.") == "KONE may also be obliged by law."
    assert "(please see" not in trim("Analytics information (please see Section 5 below for further details).")
    assert len(trim("word, " * 100)) < 320
    transfers = "some of the personal data may be processed also outside the EU/EEA"
    assert affirms("Is my data processed outside the EU?", transfers)
    assert not affirms("Do I have to accept cookies?", "we do not request your consent on placing such cookies")
    assert not affirms("How long do you keep my data?", "The personal data will be stored as long as needed")
