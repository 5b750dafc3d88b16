"""Taught knowledge: questions the privacy team pointed at a passage, and topics it marked as not
covered by the statement, taught in the console without a deploy.

The items themselves live in the database (the answering side loads them whenever their version
changes); their vectors are kept in a Chroma collection of their own beside the statement's index,
so a process that reloads them embeds only what no process has embedded before. A question that
reads (almost) the same as a taught item is answered from its passage, or told the statement does
not say; anything less close is left to the learned decision.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)
TAUGHT_COLLECTION = "taught-knowledge"
# Cosine similarity from which a question counts as one the team taught. Measured on the packaged
# model over a dozen pairs: rewordings of one question ("how do I reach KONE's privacy people" /
# "how can I reach the privacy people at KONE") scored 0.85-0.99; different questions on one topic
# ("how long do you keep my data" / "when is my data deleted") 0.43-0.72.
MATCH_AT = 0.86
Kind = Literal["hint", "not_covered"]


@dataclass(frozen=True)
class TaughtEntry:
    """One taught item as the database holds it."""

    id: int
    kind: Kind
    text: str
    passage_id: str | None = None


@dataclass(frozen=True)
class TaughtMatch:
    entry: TaughtEntry
    similarity: float


class TaughtIndex:
    """The taught items in memory (vectors in a matrix) with their Chroma copy; thread-safe swaps."""

    def __init__(
        self, embeddings: Embeddings, *, client: Callable[[], Any] | None = None, match_at: float = MATCH_AT
    ) -> None:
        self.embeddings = embeddings
        self._client = client  # a chromadb client factory; None keeps vectors in memory only
        self.match_at = match_at
        self._entries: tuple[TaughtEntry, ...] = ()
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._lock = threading.Lock()
        self.version = -1  # the knowledge version loaded (-1: never)

    @property
    def entries(self) -> tuple[TaughtEntry, ...]:
        return self._entries

    def load(self, entries: Sequence[TaughtEntry], *, version: int) -> None:
        """Replace what is taught with `entries` (vectors from Chroma, or embedded and stored there)."""
        vectors = self._vectors(list(entries))
        matrix = np.asarray(vectors, dtype=np.float32) if vectors else np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            self._entries, self._matrix, self.version = tuple(entries), matrix, version

    def match(self, vector: Sequence[float]) -> TaughtMatch | None:
        """The taught item this question (its embedding) reads as, if any."""
        with self._lock:
            entries, matrix = self._entries, self._matrix
        if not entries:
            return None
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        best = int(np.argmax(sims))
        return TaughtMatch(entries[best], float(sims[best])) if sims[best] >= self.match_at else None

    def match_text(self, text: str) -> TaughtMatch | None:
        return self.match(self.embeddings.embed_query(text)) if self._entries else None

    def _vectors(self, entries: list[TaughtEntry]) -> list[list[float]]:
        if not entries:
            return []
        ids = [f"taught-{e.id}" for e in entries]
        known: dict[str, list[float]] = {}
        collection = self._collection()
        if collection is not None:
            try:
                got = collection.get(ids=ids, include=["embeddings", "documents"])
                for item_id, vector, document in zip(got["ids"], got["embeddings"], got["documents"], strict=True):
                    known[f"{item_id}\x1f{document}"] = [float(v) for v in vector]
            except Exception:  # Chroma down: embed here; the database is the record
                log.warning("taught knowledge: Chroma unavailable, embedding locally", exc_info=True)
                collection = None
        missing = [(i, e) for i, e in zip(ids, entries, strict=True) if f"{i}\x1f{e.text}" not in known]
        if missing:
            fresh = self.embeddings.embed_documents([e.text for _, e in missing])
            for (item_id, entry), vector in zip(missing, fresh, strict=True):
                known[f"{item_id}\x1f{entry.text}"] = [float(v) for v in vector]
            if collection is not None:
                try:
                    collection.upsert(
                        ids=[i for i, _ in missing],
                        embeddings=[known[f"{i}\x1f{e.text}"] for i, e in missing],
                        documents=[e.text for _, e in missing],
                        metadatas=[{"kind": e.kind, "passage_id": e.passage_id or ""} for _, e in missing],
                    )
                except Exception:
                    log.warning("taught knowledge: could not store vectors in Chroma", exc_info=True)
        return [known[f"{i}\x1f{e.text}"] for i, e in zip(ids, entries, strict=True)]

    def _collection(self) -> Any:
        if self._client is None:
            return None
        try:
            model = str(getattr(self.embeddings, "name", type(self.embeddings).__name__))
            name = f"{TAUGHT_COLLECTION}-{hashlib.sha256(model.encode()).hexdigest()[:12]}"  # one per model
            return self._client().get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
        except Exception:
            log.warning("taught knowledge: Chroma unavailable", exc_info=True)
            return None
