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

# Measured on 2026-12-07 (README 'Quality'), minus a margin; the held-out suite is the third blind set. Its
# figures are below issue 11's targets;
# these lines hold what was reached, they do not claim the targets.
TUNING_LINES = {"passage": 0.93, "declined": 0.94, "not_stated": 0.95, "unasked": 0.04, "intents": 0.97, "told": 1.0}
HELD_OUT_LINES = {
    "passage": 0.87,
    "declined": 0.95,
    "not_stated": 0.85,
    "unasked": 0.045,
    "intents": 0.88,
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
    report = quality.measure_sizes(SUITES["tuning"])
    assert report["answerable"] >= 100 and report["off_topic"] >= 50 and report["near_miss"] >= 40
    # Issue 11's yardstick: ≥ 200 questions, ≥ 100 to decline (≥ 50 close to the domain), ≥ 40 near
    # misses, ≥ 300 intent utterances.
    held_out = quality.measure_sizes(SUITES["held-out"])
    assert held_out["answerable"] >= 200 and held_out["off_topic"] >= 100 and held_out["domain"] >= 50
    assert held_out["near_miss"] >= 40 and held_out["intents"] >= 300
