"""The learned re-ranking of the retriever's best candidates: it helps on questions it never saw,
it is cached by content, and the quotes follow its order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge import rerank
from knowledge.evaluation import EVAL_DIR
from knowledge.retriever import Retriever


@pytest.fixture(scope="module")
def matrix(retriever: Retriever) -> rerank.Matrix:
    return rerank.training_matrix(retriever, rerank.Features(retriever), rerank.load_cases())


def test_a_model_trained_on_the_other_sets_ranks_a_held_apart_set_better(matrix: rerank.Matrix) -> None:
    groups = np.array(matrix.groups)
    held, known = np.flatnonzero(groups == "retrieval_eval"), np.flatnonzero(groups != "retrieval_eval")
    x = matrix.with_neighbours(known)  # the held-apart questions see only the others as neighbours
    model = rerank.fit(matrix, x, known)
    fused, reranked = rerank.hits_at_1(matrix, x, held, None), rerank.hits_at_1(matrix, x, held, model)
    # Measured: 88 → 93 of 102 right passages first.
    assert reranked >= fused + 2, (fused, reranked)


def test_the_model_is_cached_by_content(retriever: Retriever, tmp_path: Path) -> None:
    cases = rerank.load_cases()[::10]
    trained = rerank.load_or_train(retriever, fingerprint="index-a", cache_dir=tmp_path, cases=cases)
    assert trained is not None
    files = list(tmp_path.glob("rerank-*.npz"))
    assert [f.name for f in files] == [f"rerank-{trained.digest}.npz"]
    loaded = rerank.load_or_train(retriever, fingerprint="index-a", cache_dir=tmp_path, cases=cases)
    assert loaded is not None and loaded.digest == trained.digest
    assert set(loaded.model.arrays) == set(trained.model.arrays)
    for name, array in trained.model.arrays.items():
        np.testing.assert_array_equal(loaded.model.arrays[name], array)
    # Another index (statement, hints or model) is another model.
    other = rerank.load_or_train(retriever, fingerprint="index-b", cache_dir=tmp_path, cases=cases)
    assert other is not None and other.digest != trained.digest and len(list(tmp_path.glob("rerank-*.npz"))) == 2


def test_the_quote_follows_the_reranked_order(retriever: Retriever) -> None:
    assert retriever.reranker is not None
    for question in ("do you keep my cell number on file?", "can I refuse the essential cookies?"):
        result = retriever.search(question)
        scores = [h.score for h in result.hits]
        assert scores == sorted(scores, reverse=True)  # re-ranked candidates take the fused scores in order
        assert result.top is not None and result.top.passage in result.quotes[0].passages


def test_a_set_can_be_measured_as_unseen(knowledge: Any) -> None:
    full = knowledge.retriever.reranker
    held = EVAL_DIR / "retrieval_holdout.yaml"
    try:
        knowledge.rank_without([held])
        unseen = knowledge.retriever.reranker
        assert unseen is not None and unseen.digest != full.digest
        # None of the set's questions is among the labelled neighbours any more.
        assert len(unseen.model.vectors) == len(rerank.load_cases(exclude=[held])) < len(full.model.vectors)
    finally:
        knowledge.rank_without([])
    assert knowledge.retriever.reranker.digest == full.digest


def test_the_re_ranker_never_learns_from_the_held_out_suite() -> None:
    from knowledge.evaluation import SUITES

    assert SUITES["held-out"]["answers"] not in rerank.TRAINING_SETS
    assert {p.stem for p in rerank.TRAINING_SETS} >= {"tuning_answers", "dev_answers", "blind1_answers"}
