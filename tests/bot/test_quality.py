"""Answer quality holds the line (issue 11): measured on our tuning suite and on the held-out suite.

The held-out suite (knowledge/eval/, written blind) is only ever measured: its items are never
printed, and nothing is tuned on it. The lines sit a little below what was measured (README
'Quality'), so that noise does not flake but a change that makes answers worse fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.answering import quality
from bot.answering.quality import SuiteReport
from knowledge.evaluation import SUITES

# Measured on 2026-12-07 (README 'Quality'), minus a margin. The held-out figures are below issue 11's targets;
# these lines hold what was reached, they do not claim the targets.
TUNING_LINES = {"passage": 0.88, "declined": 0.92, "not_stated": 0.78, "unasked": 0.04, "intents": 0.97, "told": 1.0}
HELD_OUT_LINES = {
    "passage": 0.75,
    "declined": 0.87,
    "not_stated": 0.78,
    "unasked": 0.045,
    "intents": 0.95,
    "told": 0.97,
}


def _check(report: SuiteReport, lines: dict[str, float]) -> None:
    a, i, lang = report.answers, report.intents, report.languages
    assert a is not None and i is not None and lang is not None
    figures = quality.table([report])
    assert a.answer_accuracy >= lines["passage"], figures
    assert a.decline_rate >= lines["declined"], figures
    assert a.not_stated_rate >= lines["not_stated"], figures
    assert i.unasked_flow_rate <= lines["unasked"], figures
    assert i.accuracy >= lines["intents"], figures
    assert lang.told_rate >= lines["told"], figures
    assert a.answered_without_citation == 0, figures


def test_the_tuning_suite_holds_its_lines(understanding: Any) -> None:
    _check(quality.measure("tuning", SUITES["tuning"], understanding), TUNING_LINES)


@pytest.mark.slow
def test_the_held_out_suite_holds_its_lines(understanding: Any) -> None:
    paths = SUITES["held-out"]
    if not all(p.exists() for p in paths.values()):
        pytest.skip("the held-out suite is not in this checkout")
    _check(quality.measure("held-out", paths, understanding), HELD_OUT_LINES)


def test_the_suites_are_big_enough() -> None:
    suites = SUITES
    for name in ("tuning", "held-out"):
        if suites[name]["answers"].exists():
            report = quality.measure_sizes(suites[name])
            assert report["answerable"] >= 100 and report["off_topic"] >= 50 and report["near_miss"] >= 40, name
