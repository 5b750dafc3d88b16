"""The answer decision: answer from the statement, say the statement does not say, or decline.

A calibrated multinomial logistic regression over the evidence of one question (learned, not
hand-set): retrieval's scores and coverage (`knowledge.evidence.Evidence`), the question's type,
how close it is to KONE's business rather than to personal data, and the intent classifier's view.
It is trained on `data/decision.yaml` (answerable questions, near misses, domain-near and far
declines) with scikit-learn, its temperature and thresholds are chosen on out-of-fold predictions,
and the result is cached under CACHE_DIR by content hash (plain arrays, no pickle), so only the
first start pays for training.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from knowledge.evaluation import ANSWER_SETS, FOLLOWUP_SETS
from knowledge.yamlfile import load_yaml

log = logging.getLogger(__name__)
TRAINING_PATH = Path(__file__).with_name("data") / "decision.yaml"
# The decision learns from its own set and from the labelled answer sets that are tuning data now
# (knowledge/eval: the tuning suite, and the blind sets retired from measuring — see its README).
# The held-out suite is never among them.
TRAINING_SETS: tuple[Path, ...] = (TRAINING_PATH, *ANSWER_SETS)
_FORMAT = 3  # 2 was the network candidate, measured and dropped
Outcome = Literal["answered", "not_stated", "declined"]
OUTCOMES: tuple[Outcome, ...] = ("answered", "not_stated", "declined")
# Inverse regularisation strengths tried; `fit` keeps the one whose out-of-fold predictions, with
# their own thresholds, reach the best weighted recall (the validation split chooses, not us).
C_GRID = (0.03, 0.1, 0.3, 1.0)
# How much each outcome's recall counts when thresholds are chosen: most real questions are
# answerable, so wrongly refusing one costs twice as much as a missed "does not say".
RECALL_WEIGHTS = (2.0, 1.0, 1.0)
PLATEAU = 0.005  # thresholds whose weighted recall is this close to the best count as equally good
_LABELS = {"answerable": 0, "near_miss": 1, "unanswerable": 1, "off_topic": 2}

# What the bot is for, and what people near it ask about instead: closeness to each side is a
# feature ("how much is an elevator" is near KONE's business, far from anyone's personal data).
PERSONAL = (
    "what personal data is collected about me and why",
    "how long my personal data is kept and when it is deleted",
    "cookies and tracking technologies in the portal",
    "my privacy rights: deletion, correction, objection, consent",
    "who processes my personal data and where it is transferred",
    "contacting KONE about my personal data and privacy",
    "the privacy statement of the customer portal",
)
BUSINESS = (
    "buying, pricing and installing elevators and escalators",
    "maintenance visits, repairs, breakdowns and service technicians",
    "using the portal: logins, passwords, invoices, reports, users and settings",
    "jobs, careers and working at KONE",
    "KONE company news, shares, revenue and management",
    "other companies' products and their privacy policies",
    "competitors such as Otis, Schindler and TK Elevator and how they handle data",
    "general legal advice about laws and disputes",
    "our own company's GDPR duties: appointing a DPO, CCTV, visitor logs, employee monitoring",
    "service agreements and contracts: quotes, tenders, renewal, termination, account managers",
    "reaching a technician, a sales person or customer service about equipment",
    "weather, sport, food, jokes and small talk",
)
_SPECIFIC = re.compile(
    r"\b(exact(ly)?|precise(ly)?|specific|name[sd]?|list|which (countr|compan|partner|provider|law)|how many"
    r"|how much|\d+ (days|months|years)|percent|euros?|dollars?)\b",
    re.I,
)


class Embedder(Protocol):
    def embed_query(self, text: str) -> list[float]: ...
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...


class Evidence(Protocol):
    def features(self) -> dict[str, float]: ...


class Retrieval(Protocol):
    @property
    def evidence(self) -> Evidence: ...


# Feature groups, in the order the ablation in the README adds them.
GROUPS: dict[str, tuple[str, ...]] = {
    "scores": ("score", "dense", "context", "lexical", "margin", "section_margin"),
    "hints": ("text", "hint", "best_text", "best_hint"),
    "coverage": ("coverage", "coverage_top3", "section_coverage", "known", "terms"),
    # Only "asks for a specific fact" (a number, a name, a list): yes/no, wh-word and "?" features were
    # measured too and dropped — they learned the wording habits of our own data (README 'Quality').
    "question type": ("specific",),
    "business vs personal": ("personal", "business", "business_gap"),
    "unanswered topics": ("unanswered", "unanswered_gap", "named"),
    "intent": ("p_out_of_scope", "p_greeting", "p_question", "p_request"),
    # Similarity to the nearest labelled questions of each outcome (leave-one-out in training).
    "neighbours": ("nn_answer", "nn_answer3", "nn_not_stated", "nn_not_stated3", "nn_decline", "nn_decline3"),
}
FEATURES: tuple[str, ...] = tuple(name for group in GROUPS.values() for name in group)


def question_features(text: str) -> dict[str, float]:
    """The question's type: whether it asks for a specific fact (a number, a name, a list)."""
    return {"specific": float(bool(_SPECIFIC.search(text)))}


@dataclass(frozen=True)
class Verdict:
    """What to do with a question, and the calibrated probabilities behind it."""

    outcome: Outcome
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 0 answer, 1 not stated, 2 decline
    kind: str
    near: str = ""


def load_examples(*paths: Path) -> list[Example]:
    """The labelled questions of decision sets (the schema of the held-out answer set), each
    question once: a question in two sets must not be its own nearest neighbour in training."""
    examples: list[Example] = []
    seen: set[str] = set()
    for path in paths or TRAINING_SETS:
        for item in load_yaml(path) or []:
            text = str(item["question"])
            if text.casefold() in seen:
                continue
            seen.add(text.casefold())
            kind = str(item.get("kind") or ("answerable" if item.get("sections") else "unanswerable"))
            examples.append(Example(text, _LABELS[kind], kind, str(item.get("near") or "")))
    return examples


def followup_examples(*paths: Path) -> list[Example]:
    """Follow-ups as the decision sees them: read with the previous question ("why? (does the portal
    collect my phone number?)"), both ways `followup` reads them — answerable. And short off-topic
    messages read with a privacy question in front of them — still declines: the previous question's
    words must not carry a message that is not about the statement."""
    from bot.answering.followup import combined, whole  # same layer; imported here to keep it lazy

    pairs = [(str(i["first"]), str(i["then"])) for path in paths or FOLLOWUP_SETS for i in load_yaml(path) or []]
    examples = [
        Example(reading, _LABELS["answerable"], "answerable")
        for first, then in pairs
        for reading in dict.fromkeys((combined(then, first), whole(then, first)))
    ]
    firsts = [first for first, _ in pairs]
    short_declines = [e for e in load_examples(TRAINING_PATH) if e.kind == "off_topic" and len(e.text.split()) <= 6]
    for n, e in enumerate(short_declines[: len(firsts)]):
        first = firsts[(n * 7) % len(firsts)]  # a fixed spread of previous questions
        examples += [Example(combined(e.text, first), e.label, e.kind, e.near)]
    return examples


class Model:
    """Standardised features → softmax(logits / temperature) → thresholds. Plain arrays only."""

    def __init__(self, arrays: dict[str, np.ndarray], names: Sequence[str]) -> None:
        self.arrays = arrays
        self.names = tuple(names)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        a = self.arrays
        z = (x - a["mean"]) / a["scale"]
        logits = (z @ a["coef"].T + a["intercept"]) / float(a["temperature"][0])
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        result: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return result

    def outcome(self, p: np.ndarray) -> Outcome:
        """Answer when sure enough it is answerable; else decline or 'does not say', whichever leads."""
        answer_at, decline_share = (float(v) for v in self.arrays["thresholds"])
        if p[0] >= answer_at:
            return "answered"
        return "declined" if p[2] >= decline_share * (p[1] + p[2]) else "not_stated"


def neighbour_features(
    vectors: np.ndarray, train: np.ndarray, labels: np.ndarray, *, leave_one_out: bool = False
) -> np.ndarray:
    """For each vector: its best and mean-of-three similarity to the examples of each outcome."""
    sims = vectors @ train.T
    if leave_one_out:
        np.fill_diagonal(sims, -1.0)  # an example must not vote for itself
    columns = []
    for k in range(len(OUTCOMES)):
        ranked = np.sort(sims[:, labels == k], axis=1)[:, ::-1]
        columns += [ranked[:, 0], ranked[:, :3].mean(axis=1)]
    return np.stack(columns, axis=1)


def fit(x: np.ndarray, y: np.ndarray, names: Sequence[str], *, grid: Sequence[float] = C_GRID) -> Model:
    """Train on (x, y): logistic regression whose strength, temperature and thresholds are chosen
    on 5-fold out-of-fold predictions, then refitted on everything."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def pipeline(c: float) -> Any:
        return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000))

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    best: tuple[float, float, float, tuple[float, float]] | None = None  # (recall, c, temperature, thresholds)
    for c in grid:
        logits = cross_val_predict(pipeline(c), x, y, cv=folds, method="decision_function")
        temperature = _temperature(logits, y)
        shifted = logits / temperature
        shifted -= shifted.max(axis=1, keepdims=True)
        oof = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        thresholds = _thresholds(oof, y)
        recall = _weighted_recall(oof, y, *thresholds)
        if best is None or recall > best[0] + PLATEAU:  # a stronger regulariser wins a near-tie
            best = (recall, c, temperature, thresholds)
    assert best is not None, "an empty grid"
    _, c, temperature, thresholds = best
    model = pipeline(c).fit(x, y)
    scaler, lr = model[0], model[1]
    arrays = {
        "mean": scaler.mean_.astype(np.float64),
        "scale": scaler.scale_.astype(np.float64),
        "coef": lr.coef_.astype(np.float64),
        "intercept": lr.intercept_.astype(np.float64),
        "temperature": np.array([temperature]),
        "thresholds": np.array(thresholds),
        "c": np.array([c]),
    }
    return Model(arrays, names)


def _weighted_recall(p: np.ndarray, y: np.ndarray, answer_at: float, share: float) -> float:
    """Each outcome's recall under these thresholds, weighted by RECALL_WEIGHTS."""
    predicted = np.where(p[:, 0] >= answer_at, 0, np.where(p[:, 2] >= share * (p[:, 1] + p[:, 2]), 2, 1))
    return float(sum(w * np.mean(predicted[y == k] == k) for k, w in enumerate(RECALL_WEIGHTS) if np.any(y == k)))


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the out-of-fold negative log-likelihood (calibration)."""
    best, best_t = np.inf, 1.0
    for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def _thresholds(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The thresholds that maximise the weighted recall of the three outcomes on held-out folds:
    the middle of the near-best ones (within PLATEAU), so that a small change of the training data
    does not swing the threshold from one edge of a flat optimum to the other."""
    grid = []
    for answer_at in np.arange(0.20, 0.81, 0.025):
        for share in np.arange(0.30, 0.71, 0.05):
            grid.append((_weighted_recall(p, y, float(answer_at), float(share)), float(answer_at), float(share)))
    best = max(r for r, _, _ in grid)
    near = [(a, s) for r, a, s in grid if r >= best - PLATEAU]
    answer_at = round(float(np.median([a for a, _ in near])) / 0.025) * 0.025
    share = round(float(np.median([s for _, s in near])) / 0.05) * 0.05
    return answer_at, share


class Decider:
    """Decides the outcome of a question from its retrieval; trains (or loads) its model once."""

    def __init__(
        self,
        embeddings: Embedder,
        *,
        intent_scores: Callable[[str], dict[str, float]],
        request_types: Iterable[str],
        examples: list[Example] | None = None,
        cache_dir: Path | None = None,
        names: Sequence[str] = FEATURES,
    ) -> None:
        self.embeddings = embeddings
        self.intent_scores = intent_scores
        self.request_types = tuple(request_types)
        self.examples = examples if examples is not None else load_examples() + followup_examples()
        self.cache_dir = cache_dir
        self.names = tuple(names)
        self._prototypes: tuple[np.ndarray, np.ndarray] | None = None
        self._model: Model | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._model is not None

    def current(self) -> Model | None:
        return self._model

    def use(self, model: Model | None) -> None:
        """Decide with `model` (and its feature names) from now on: the ablation swaps models."""
        self._model = model
        if model is not None:
            self.names = model.names

    def base_features(self, text: str, retrieval: Retrieval) -> dict[str, float]:
        """Every feature of one question except its neighbours, by name."""
        features = dict(retrieval.evidence.features())
        features.update(question_features(text))
        personal, business = self._prototype_vectors()
        vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        features["personal"] = float((personal @ vector).max())
        features["business"] = float((business @ vector).max())
        features["business_gap"] = features["business"] - features["personal"]
        scores = self.intent_scores(text)
        features["p_out_of_scope"] = scores.get("out_of_scope", 0.0)
        features["p_greeting"] = scores.get("greeting", 0.0)
        features["p_question"] = scores.get("question", 0.0)
        features["p_request"] = sum(scores.get(t, 0.0) for t in self.request_types)
        return features

    def decide(self, text: str, retrieval: Retrieval) -> Verdict:
        """The outcome for `text` (the model must have been prepared)."""
        model = self._model
        if model is None:
            raise RuntimeError("the decision model is not prepared")
        features = self.base_features(text, retrieval)
        vector = np.asarray([self.embeddings.embed_query(text)], dtype=np.float32)
        near = neighbour_features(vector, model.arrays["train_vectors"], model.arrays["train_labels"])[0]
        features.update(zip(GROUPS["neighbours"], (float(v) for v in near), strict=True))
        p = model.probabilities(np.array([[features[name] for name in self.names]]))[0]
        return Verdict(model.outcome(p), {o: float(v) for o, v in zip(OUTCOMES, p, strict=True)})

    def prepare(self, search: Callable[[str], Retrieval], fingerprint: str = "") -> Model:
        """Load the model from the cache or train it (once, under a lock). `fingerprint` names the
        knowledge and classifier the features come from, so a change of either retrains."""
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load_or_train(search, fingerprint)
        return self._model

    def training_matrix(self, search: Callable[[str], Retrieval]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All features (FEATURES order, neighbours left out), labels and vectors of the examples."""
        texts = [e.text for e in self.examples]
        prime = getattr(self.embeddings, "prime", None)
        if prime is not None:
            prime(texts)  # one batched model call instead of one per question
        rows = []
        for text in texts:
            features = self.base_features(text, search(text))
            rows.append([features.get(name, 0.0) for name in FEATURES])
        vectors = np.asarray([self.embeddings.embed_query(t) for t in texts], dtype=np.float32)
        x, y = np.array(rows, dtype=np.float64), np.array([e.label for e in self.examples])
        x[:, [FEATURES.index(n) for n in GROUPS["neighbours"]]] = neighbour_features(
            vectors, vectors, y, leave_one_out=True
        )
        return x, y, vectors

    def _load_or_train(self, search: Callable[[str], Retrieval], fingerprint: str) -> Model:
        examples = [(e.text, e.label) for e in self.examples]
        payload = [_FORMAT, fingerprint, self.names, examples, PERSONAL, BUSINESS, C_GRID, RECALL_WEIGHTS, PLATEAU]
        digest = hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]
        cache = self.cache_dir / f"decision-{digest}.npz" if self.cache_dir else None
        if cache and cache.exists():
            try:
                with np.load(cache) as saved:
                    return Model({k: saved[k] for k in saved.files}, self.names)
            except (OSError, ValueError, KeyError):
                log.warning("decision model cache unreadable; retraining")
        started = time.perf_counter()
        x, y, vectors = self.training_matrix(search)
        model = fit(x[:, [FEATURES.index(name) for name in self.names]], y, self.names)
        log.info(
            "answer decision: trained on %d questions in %.1f s (C=%s)",
            len(y),
            time.perf_counter() - started,
            model.arrays["c"][0],
        )
        model.arrays["train_vectors"], model.arrays["train_labels"] = vectors, y
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(cache.name + ".tmp.npz")
            np.savez(tmp, **model.arrays)  # type: ignore[arg-type]
            tmp.replace(cache)  # atomic: concurrent processes never read half a file
        return model

    def _prototype_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        if self._prototypes is None:
            embed = self.embeddings.embed_documents
            self._prototypes = (
                np.asarray(embed(list(PERSONAL)), dtype=np.float32),
                np.asarray(embed(list(BUSINESS)), dtype=np.float32),
            )
        return self._prototypes
