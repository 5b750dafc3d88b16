"""A learned re-ranking of the retriever's best candidates.

The fused score (dense + section + BM25 with fixed weights) puts the right passage in its top three
far more often than first. A linear model over cheap per-candidate features — the signals, their
ranks and gaps to the best candidate, how much of the question the passage, its section title and
its hints cover, the passage's shape (list item, lead-in, pointer, length), its section, and how
close the question is to labelled questions each candidate answers — re-orders the top `K` candidates.
(The question's type — who, where, how long, … — crossed with the section and the shape was measured
too and dropped: it learned the wording of the training sets, 86.7 → 85.0 % left-out hit@1.)

It is trained on the labelled answerable questions of the tuning sets (a candidate is right when it
is in an accepted section and holds an expected phrase), listwise: per question, a softmax over its
candidates should put its weight on the right ones, so one weight vector ranks any question.
Its regularisation is chosen by cross-validation that leaves out a whole question set at a time
(`cross_validate`); the result is cached under CACHE_DIR by content hash (plain arrays, no pickle).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.evaluation import ANSWER_SETS, RETRIEVAL_SETS
from knowledge.lexical import tokens
from knowledge.yamlfile import load_yaml

if TYPE_CHECKING:
    from knowledge.retriever import Retriever, Signals

log = logging.getLogger(__name__)
# The labelled questions the re-ranker learns from: the first round's sets and every answer set that
# is tuning data (the held-out suite is never read).
TRAINING_SETS: tuple[Path, ...] = (*RETRIEVAL_SETS, *ANSWER_SETS)
_FORMAT = 1
K = 10  # candidates re-ranked; the right passage is in the fused top 10 for ~99 % of the labelled questions
C = 0.3  # inverse regularisation, chosen by leave-one-set-out cross-validation (flat from 0.3 to 3)
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
MIN_CASES = 50  # labelled questions with a right candidate needed to train at all

_SCORES = (
    "score",
    "score_gap",
    "rank",
    "own",
    "own_gap",
    "own_rank",
    "text",
    "hint",
    "hint_over_text",
    "context",
    "context_gap",
    "context_rank",
    "lexical",
    "lexical_gap",
    "lexical_rank",
)
_COVERAGE = ("cov_doc", "cov_text", "cov_title", "cov_hints", "cov_lead", "cov_section")
_SHAPE = ("item", "lead_in", "pointer", "length", "first", "hints", "section_share", "section_best")
# How close the question is to the labelled questions this candidate answers: best, gap to the best
# candidate's, mean of the three closest (leave-one-out while training).
NEIGHBOURS = ("nn_best", "nn_gap", "nn_mean3")


def feature_names(sections: Sequence[str]) -> tuple[str, ...]:
    """Every feature, in the order of a candidate's row."""
    return (*_SCORES, *_COVERAGE, *_SHAPE, *(f"section {s}" for s in sections), *NEIGHBOURS)


class Features:
    """What is known of each passage before any question (term sets, shape), and the rows of
    features of one question's candidates."""

    def __init__(self, retriever: Retriever) -> None:
        statement, hints = retriever.statement, retriever.hints
        passages = retriever.passages
        self.sections = tuple(s.number for s in statement.sections)
        self.names = feature_names(self.sections)
        self.n_base = len(self.names) - len(NEIGHBOURS)
        self.idf = retriever.bm25.idf
        titles = {s.number: set(tokens(s.title)) for s in statement.sections}
        # Which terms each passage's document, text, section title, hints, list lead-in and whole
        # section hold, as (passages, term sets, vocabulary) flags: coverage is then one product.
        term_sets = [
            retriever.doc_terms,
            [set(tokens(p.text)) for p in passages],
            [titles[p.section] for p in passages],
            [set(tokens(" ".join(hints.get(p.id, [])))) for p in passages],
            [set(tokens(p.lead or "")) for p in passages],
            [retriever.section_terms[p.section] for p in passages],
        ]
        self.vocabulary = {t: i for i, t in enumerate(sorted(set().union(*(t for ts in term_sets for t in ts))))}
        self.holds = np.zeros((len(passages), len(term_sets), len(self.vocabulary)))
        for j, sets in enumerate(term_sets):
            for i, terms in enumerate(sets):
                self.holds[i, j, [self.vocabulary[t] for t in terms]] = 1.0
        self.section_of = np.array([self.sections.index(p.section) for p in passages])
        self.shape = np.array(
            [
                [
                    float(p.lead is not None),
                    float(p.text.endswith(":")),
                    float(p.cross_reference is not None and len(p.text) < 100),
                    math.log(1 + len(p.text.split())) / 4,
                    float(p.position == min(q.position for q in passages if q.section == p.section)),
                    math.log(1 + len(hints.get(p.id, []))) / 2,
                ]
                for p in passages
            ]
        )

    def rows(self, s: Signals, scores: np.ndarray, top: np.ndarray) -> np.ndarray:
        """One row of features per candidate in `top` (indices of passages, best fused score first),
        all but the neighbours'."""
        n, n_sections = len(top), len(self.sections)
        x = np.zeros((n, self.n_base))
        own = s.own[top]
        context, lexical, score = s.context[top], s.lexical[top], scores[top]
        x[:, 0] = score
        x[:, 1] = score - score[0]
        x[:, 2] = 1.0 / (1.0 + np.arange(n))
        x[:, 3], x[:, 4], x[:, 5] = own, own - own.max(), _inverse_rank(own)
        x[:, 6], x[:, 7] = s.text[top], s.hint[top]
        x[:, 8] = s.hint[top] - s.text[top]
        x[:, 9], x[:, 10], x[:, 11] = context, context - context.max(), _inverse_rank(context)
        x[:, 12], x[:, 13], x[:, 14] = lexical, lexical - lexical.max(), _inverse_rank(lexical)
        col = len(_SCORES)
        known = [t for t in s.terms if t in self.vocabulary]
        weights = np.array([self.idf.get(t, 0.0) for t in s.terms])
        total = float(weights.sum())
        if known and total > 0:
            held = self.holds[:, :, [self.vocabulary[t] for t in known]][top]
            x[:, col : col + len(_COVERAGE)] = held @ np.array([self.idf.get(t, 0.0) for t in known]) / total
        col += len(_COVERAGE)
        x[:, col : col + 6] = self.shape[top]
        sections = self.section_of[top]
        counts = np.bincount(sections, minlength=n_sections)
        x[:, col + 6] = counts[sections] / n
        first_of_section: dict[int, int] = {}
        for row, sec in enumerate(sections):
            first_of_section.setdefault(int(sec), row)
        x[[first_of_section[int(sec)] for sec in sections], col + 7] = 1.0
        col += len(_SHAPE)
        x[np.arange(n), col + sections] = 1.0
        return x


def _inverse_rank(values: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(values))
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
    result: np.ndarray = 1.0 / (1.0 + ranks)
    return result


def answering(right: np.ndarray) -> np.ndarray:
    """For each passage, the labelled questions it answers (rows of `right`, questions x passages),
    padded with the index one past the last question."""
    lists = [np.flatnonzero(column) for column in right.T]
    width = max((len(q) for q in lists), default=0)
    index = np.full((len(lists), max(width, 1)), len(right))
    for p, questions in enumerate(lists):
        index[p, : len(questions)] = questions
    return index


def neighbour_columns(sims: np.ndarray, index: np.ndarray, top: np.ndarray) -> np.ndarray:
    """`NEIGHBOURS` for candidates `top`, given the question's similarity to each labelled question
    (-1 for those that may not count) and `answering(right)`."""
    close = np.maximum(np.append(sims, 0.0)[index[top]], 0.0)  # candidates x their questions
    three = -np.partition(-close, 2, axis=1)[:, :3] if close.shape[1] > 3 else close
    best = close.max(axis=1)
    return np.stack([best, best - best.max(), three.sum(axis=1) / 3], axis=1)


class Model:
    """Standardised features → one linear score per candidate. Plain arrays only."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        a = arrays
        # Folded into one weight vector: the score is x @ w (+ a constant that does not change the order).
        self.weights = a["coef"] / a["scale"]
        # The labelled questions (embeddings, and which passages answer each) for the neighbour features.
        self.vectors = a.get("vectors", np.zeros((0, 0), dtype=np.float32))
        self.index = answering(a.get("right", np.zeros((0, 0), dtype=bool)).astype(bool))

    def scores(self, x: np.ndarray) -> np.ndarray:
        result: np.ndarray = x @ self.weights
        return result

    def neighbours(self, vector: np.ndarray | None, top: np.ndarray) -> np.ndarray:
        if vector is None or not len(self.vectors):
            return np.zeros((len(top), len(NEIGHBOURS)))
        return neighbour_columns(self.vectors @ vector, self.index, top)


@dataclass(frozen=True)
class Case:
    """A labelled answerable question: which candidates are right is decided by `right`."""

    question: str
    sections: tuple[str, ...]
    expect: tuple[str, ...]
    group: str  # the set it comes from: cross-validation leaves out a whole set

    def right(self, section: str, text: str) -> bool:
        lowered = text.lower()
        return section in self.sections and any(e.lower() in lowered for e in self.expect)


def load_cases(paths: Sequence[Path] = TRAINING_SETS, *, exclude: Sequence[Path] = ()) -> list[Case]:
    """The answerable questions of the tuning sets (the first of repeated questions kept), leaving
    out every question of the `exclude` sets (to measure a set the model has not seen)."""
    seen = {str(item["question"]).lower() for path in exclude for item in load_yaml(path) or []}
    cases = []
    for path in paths:
        for item in load_yaml(path) or []:
            question = str(item["question"])
            if not item.get("sections") or not item.get("expect") or question.lower() in seen:
                continue
            seen.add(question.lower())
            sections = tuple(map(str, item["sections"]))
            cases.append(Case(question, sections, tuple(map(str, item["expect"])), path.stem))
    return cases


@dataclass
class Matrix:
    """The candidates of every case: rows (neighbours aside), whether each is right, the case each
    belongs to; per case its set, embedding and candidates, and which passages answer it."""

    x: np.ndarray
    right: np.ndarray
    case: np.ndarray
    groups: list[str]
    vectors: np.ndarray
    top: np.ndarray
    answers: np.ndarray  # cases x passages

    def with_neighbours(self, known: np.ndarray) -> np.ndarray:
        """The rows with `NEIGHBOURS` from the cases in `known` (a case never counts for itself)."""
        allowed = np.zeros(len(self.groups), dtype=bool)
        allowed[known] = True
        sims = self.vectors @ self.vectors.T
        index = answering(self.answers)
        columns = []
        for n in range(len(self.groups)):
            row = np.where(allowed, sims[n], -1.0)
            row[n] = -1.0
            columns.append(neighbour_columns(row, index, self.top[n]))
        return np.hstack([self.x, np.vstack(columns)])


def training_matrix(retriever: Retriever, features: Features, cases: Sequence[Case]) -> Matrix:
    """Rows of the fused top-K candidates of every case (all phrasings embedded in one batch)."""
    phrasings = [retriever.phrasings(c.question) for c in cases]
    texts = list(dict.fromkeys(t for ps in phrasings for t in ps))
    embedded = dict(zip(texts, retriever.embeddings.embed_documents(texts), strict=True))
    xs, right, owner, tops = [], [], [], []
    for n, (case, ps) in enumerate(zip(cases, phrasings, strict=True)):
        s = retriever.signals(case.question, [embedded[t] for t in ps])
        scores = retriever.fused(s)
        top = np.argsort(-scores, kind="stable")[:K]
        xs.append(features.rows(s, scores, top))
        right += [case.right(retriever.passages[i].section, retriever.passages[i].text) for i in top]
        owner += [n] * len(top)
        tops.append(top)
    answers = np.array([[c.right(p.section, p.text) for p in retriever.passages] for c in cases], dtype=bool)
    vectors = np.asarray([embedded[c.question] for c in cases], dtype=np.float32)
    groups = [c.group for c in cases]
    return Matrix(np.vstack(xs), np.array(right, dtype=bool), np.array(owner), groups, vectors, np.array(tops), answers)


def fit(m: Matrix, x: np.ndarray, cases: np.ndarray, *, c: float = C) -> Model:
    """Listwise logistic regression over rows `x` of `cases`: per question, a softmax over its
    candidates that should put its weight on the right ones (L2-regularised, each question once)."""
    from scipy.optimize import minimize  # type: ignore[import-untyped]

    chosen = np.isin(m.case, cases) & np.isin(m.case, np.unique(m.case[m.right]))
    mean = x[chosen].mean(axis=0)
    scale = x[chosen].std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x[chosen] - mean) / scale
    right = m.right[chosen].astype(float)
    _, owner = np.unique(m.case[chosen], return_inverse=True)
    n_cases = int(owner.max()) + 1

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        s = s - s.max()
        e = np.exp(s)
        total = np.bincount(owner, e, n_cases)
        good = np.bincount(owner, e * right, n_cases)
        value = -np.sum(np.log(good) - np.log(total)) + 0.5 / c * (w @ w)
        # d/ds of -log(good/total): p_all - p_right (within the question).
        grad_s = e / total[owner] - e * right / good[owner]
        return float(value), z.T @ grad_s + w / c

    result = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return Model({"mean": mean, "scale": scale, "coef": result.x.astype(np.float64)})


def hits_at_1(m: Matrix, x: np.ndarray, cases: np.ndarray, model: Model | None) -> int:
    """How many of `cases` have a right candidate first (fused order when `model` is None)."""
    hits = 0
    for n in cases:
        rows = np.flatnonzero(m.case == n)
        first = rows[0] if model is None else rows[int(np.argmax(model.scores(x[rows])))]
        hits += bool(m.right[first])
    return hits


def cross_validate(m: Matrix, c: float = C) -> dict[str, tuple[int, int, int]]:
    """Leave one set out: per set, (questions, fused hit@1, re-ranked hit@1) of a model trained on
    the others, whose questions are also the only neighbours the held-out set's questions see."""
    result = {}
    groups = np.array(m.groups)
    for group in dict.fromkeys(m.groups):
        held, known = np.flatnonzero(groups == group), np.flatnonzero(groups != group)
        x = m.with_neighbours(known)
        model = fit(m, x, known, c=c)
        result[group] = (len(held), hits_at_1(m, x, held, None), hits_at_1(m, x, held, model))
    return result


class Reranker:
    """Re-orders a question's best `K` candidates by the learned score."""

    def __init__(self, features: Features, model: Model, digest: str = "") -> None:
        self.features = features
        self.model = model
        self.digest = digest

    def order(self, s: Signals, scores: np.ndarray, order: np.ndarray) -> np.ndarray:
        """`order` (best fused score first) with its first `K` re-ranked."""
        top = order[:K]
        x = np.hstack([self.features.rows(s, scores, top), self.model.neighbours(s.vector, top)])
        learned = self.model.scores(x)
        result: np.ndarray = np.concatenate([top[np.argsort(-learned, kind="stable")], order[K:]])
        return result


def load_or_train(
    retriever: Retriever, *, fingerprint: str, cache_dir: Path | None, cases: Sequence[Case] | None = None, c: float = C
) -> Reranker | None:
    """The re-ranker for this index (`fingerprint` names it): from the cache, or trained and cached;
    None when too few labelled questions find their passage among the candidates (another statement)."""
    cases = list(cases) if cases is not None else load_cases()
    features = Features(retriever)
    payload = [_FORMAT, fingerprint, K, c, features.names, [(x.question, x.sections, x.expect) for x in cases]]
    digest = hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]
    cache = cache_dir / f"rerank-{digest}.npz" if cache_dir else None
    if cache and cache.exists():
        try:
            with np.load(cache) as saved:
                return Reranker(features, Model({k: saved[k] for k in saved.files}), digest)
        except (OSError, ValueError, KeyError):
            log.warning("re-ranking model cache unreadable; retraining")
    started = time.perf_counter()
    m = training_matrix(retriever, features, cases)
    if len(np.unique(m.case[m.right])) < MIN_CASES:
        log.warning("re-ranking: too few labelled questions match this statement; the fused ranking stands")
        return None
    everyone = np.arange(len(cases))
    model = fit(m, m.with_neighbours(everyone), everyone, c=c)
    model.arrays["vectors"], model.arrays["right"] = m.vectors, m.answers
    model = Model(model.arrays)
    log.info("re-ranking: trained on %d questions in %.1f s", len(cases), time.perf_counter() - started)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(cache.name + ".tmp.npz")
        np.savez(tmp, **model.arrays)  # type: ignore[arg-type]
        tmp.replace(cache)  # atomic: concurrent processes never read half a file
    return Reranker(features, model, digest)
