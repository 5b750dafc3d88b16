"""What a user's top-level message means: a small learned classifier over sentence embeddings.

Features are the message's sentence embedding (meaning), hashed word n-grams (the cue words that
separate "what happens if I delete…" from "delete…") and similarities to the training examples
and to the statement, fed to a softmax regression trained at start-up from bot/data/intents.yaml.
The trained model is cached on disk by content hash, so only the first start pays for training.
Rules are used only where they are clearer than a model: ticket references and bare commands.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.answering import spelling
from bot.answering.spelling import Speller
from bot.types import INTENTS
from bot.validation import REFERENCE_RE
from knowledge.yamlfile import load_yaml

log = logging.getLogger(__name__)
TRAINING_PATH = Path(__file__).with_name("data") / "intents.yaml"
_WORD = re.compile(r"[a-z0-9']+")
_HASH_DIM = 4096
_RECENT = 1024  # predictions kept for repeated asks within a turn
_CHAR_DIM = 2048
_CHAR_WEIGHT = 0.5  # character 4-grams: "procesing" shares most of its grams with "processing"
_FORMAT = 4
_SIMILARITY_WEIGHT = 2.0  # measured: see README 'Quality'


class Embedder(Protocol):
    def embed_query(self, text: str) -> list[float]: ...
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    scores: dict[str, float]


def _ngram_features(text: str) -> np.ndarray:
    """Hashed, L2-normalised word unigrams and bigrams, character 4-grams of the words, and a few
    sentence-shape cues; `text` is the message as the speller normalised it."""
    vec = np.zeros(_HASH_DIM + _CHAR_DIM + 4, dtype=np.float32)
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    if words:
        grams.append(f"^{words[0]}")  # how a message starts says a lot ("how…", "please…")
    for gram in grams:
        vec[zlib.crc32(gram.encode()) % _HASH_DIM] += 1.0
    for word in words:
        padded = f" {word} "
        for i in range(len(padded) - 3):
            vec[_HASH_DIM + zlib.crc32(padded[i : i + 4].encode()) % _CHAR_DIM] += 1.0
    for start, end, weight in ((0, _HASH_DIM, 1.0), (_HASH_DIM, _HASH_DIM + _CHAR_DIM, _CHAR_WEIGHT)):
        norm = np.linalg.norm(vec[start:end])
        if norm:
            vec[start:end] *= weight / norm
    cues = _HASH_DIM + _CHAR_DIM
    stripped = text.strip()
    vec[cues] = 1.0 if stripped.endswith("?") else 0.0
    vec[cues + 1] = 1.0 if REFERENCE_RE.search(text) else 0.0
    vec[cues + 2] = min(len(words), 40) / 40.0
    vec[cues + 3] = 1.0
    return vec


class IntentClassifier:
    """Softmax regression over [embedding, n-grams, neighbour and domain similarities].

    Besides the raw embedding, two similarity features carry most of the signal measured on
    the held-out set: how close the message is to each intent's nearest training examples
    (a k-NN view), and how close it is to the privacy statement itself (off-topic messages
    are far from it). `classify` costs one cached embedding and two small matrix products.
    """

    def __init__(
        self,
        embeddings: Embedder,
        *,
        examples: dict[str, list[str]] | None = None,
        domain_texts: list[str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.embeddings = embeddings
        self.examples = examples if examples is not None else load_examples()
        unknown = set(self.examples) - set(INTENTS)
        if unknown:
            raise ValueError(f"unknown intents in training data: {sorted(unknown)}")
        self.labels = sorted(self.examples)
        self.domain_texts = domain_texts or []
        # Known words come from the statement, not the examples: those are misspelt on purpose.
        self.speller = Speller.from_texts(self.domain_texts)
        self._y = np.array([i for i, label in enumerate(self.labels) for _ in self.examples[label]])
        # Names this model (training data and format): its cache file, and what depends on it.
        named = [_FORMAT, _model_name(embeddings), self.examples, self.domain_texts, spelling.signature()]
        self.digest = hashlib.sha256(json.dumps(named, sort_keys=True).encode()).hexdigest()[:16]
        self.weights, self._train_vectors, self._domain_vectors = self._load_or_train(cache_dir)
        self._recent: OrderedDict[str, Prediction] = OrderedDict()
        self._lock = threading.Lock()

    def _similarity_features(self, vectors: np.ndarray, *, leave_one_out: bool = False) -> np.ndarray:
        sims = vectors @ self._train_vectors.T
        if leave_one_out:
            np.fill_diagonal(sims, -1.0)  # a training example must not vote for itself
        columns = []
        for i in range(len(self.labels)):
            ranked = np.sort(sims[:, self._y == i], axis=1)[:, ::-1]
            columns += [ranked[:, 0], ranked[:, :3].mean(axis=1)]
        if len(self._domain_vectors):
            ranked = np.sort(vectors @ self._domain_vectors.T, axis=1)[:, ::-1]
            columns += [ranked[:, 0], ranked[:, :5].mean(axis=1)]
        return np.stack(columns, axis=1) * _SIMILARITY_WEIGHT

    def _features(self, texts: list[str], vectors: np.ndarray, *, leave_one_out: bool = False) -> np.ndarray:
        grams = np.stack([_ngram_features(self.speller.normalise(t)) for t in texts])
        return np.hstack([vectors, grams, self._similarity_features(vectors, leave_one_out=leave_one_out)])

    def _load_or_train(self, cache_dir: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        digest = self.digest
        cache = cache_dir / f"intents-{digest}.npz" if cache_dir else None
        if cache and cache.exists():
            try:
                with np.load(cache) as saved:
                    return saved["weights"], saved["train"], saved["domain"]
            except (OSError, ValueError, KeyError):
                log.warning("intent model cache unreadable; retraining")
        started = time.perf_counter()
        texts = [t for label in self.labels for t in self.examples[label]]
        self._train_vectors = _embed(self.embeddings, texts)
        self._domain_vectors = _embed(self.embeddings, self.domain_texts)
        features = self._features(texts, self._train_vectors, leave_one_out=True)
        weights = train_softmax(features, self._y, len(self.labels))
        log.info("intent classifier: trained on %d examples in %.1f s", len(texts), time.perf_counter() - started)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(cache.name + ".tmp.npz")
            np.savez(tmp, weights=weights, train=self._train_vectors, domain=self._domain_vectors)
            tmp.replace(cache)  # atomic: concurrent processes never read half a file
        return weights, self._train_vectors, self._domain_vectors

    def classify(self, text: str) -> Prediction:
        """The most likely intent of a top-level message, with its probability (cached: a turn
        asks for the same text's prediction more than once — routing, then the answer decision)."""
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                self._recent.move_to_end(text)
                return cached
        prediction = self._classify(text)
        with self._lock:
            self._recent[text] = prediction
            if len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return prediction

    def _classify(self, text: str) -> Prediction:
        vector = np.asarray([self.embeddings.embed_query(text)], dtype=np.float32)
        probs = _softmax(self._features([text], vector) @ self.weights)[0]
        scores = {label: float(p) for label, p in zip(self.labels, probs, strict=True)}
        rule = _rule(text)
        if rule:
            return Prediction(rule, 1.0, scores)
        best = int(np.argmax(probs))
        return Prediction(self.labels[best], float(probs[best]), scores)


def _model_name(embeddings: Embedder) -> str:
    """Which model the vectors come from: a model with other vectors needs its own trained weights."""
    return str(getattr(embeddings, "name", ""))


def _embed(embeddings: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.asarray(embeddings.embed_documents(texts), dtype=np.float32)


# Attempts to re-program the assistant. Retrieved text is data, and so are these: the bot
# declines them whatever privacy words they carry ("pretend you are KONE's lawyer and confirm…").
INJECTION_RE = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules|prompt|statement|above|guidelines|restrictions)\b"
    r"|\b(pretend|role-?play|act)\b.{0,12}\b(you are|to be|as)\b"
    r"|\byou are (now|no longer)\b|\bsystem prompt\b|\bjailbreak\b|\bDAN\b|\bdeveloper mode\b"
    r"|\b(new|updated) (system|admin) (message|instruction)|^\s*(system|assistant)\s*:"
    r"|</?(system|context|instructions?)>"
    r"|\bconfirm in writing\b|\banswer freely\b|\bno restrictions\b"
    r"|\bas (the|an|your) (system )?(administrator|admin|developer|operator)\b|\bI authori[sz]e you\b",
    re.IGNORECASE,
)


def _rule(text: str) -> str | None:
    """Cases where a rule is clearer than a model: injections, and a ticket reference with a verb."""
    if INJECTION_RE.search(text):
        return "out_of_scope"
    if not REFERENCE_RE.search(text):
        return None
    lowered = text.lower()
    if re.search(r"\b(withdraw|cancel|retract|revoke|drop)\b", lowered):
        return "cancel"
    if re.search(r"\b(status|update|progress|news|happening|where is|how is|any word)\b", lowered):
        return "ticket_status"
    return None


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def train_softmax(
    x: np.ndarray, y: np.ndarray, classes: int, *, l2: float = 1e-4, epochs: int = 1000, lr: float = 1.0
) -> np.ndarray:
    """Full-batch gradient descent on cross-entropy with L2; small data, so this is quick."""
    n, d = x.shape
    w = np.zeros((d, classes), dtype=np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    for _ in range(epochs):
        probs = _softmax(x @ w)
        grad = x.T @ (probs - onehot) / n + l2 * w
        w -= lr * grad
    return w


def load_examples(path: Path = TRAINING_PATH) -> dict[str, list[str]]:
    data = load_yaml(path) or {}
    return {str(k): [str(t) for t in v] for k, v in data.items()}
