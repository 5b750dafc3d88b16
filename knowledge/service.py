"""The knowledge base as the app sees it: ingest when needed, then search; ready or not."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from knowledge.embeddings import MODEL_NAME
from knowledge.ingest import HINTS_PATH, KnowledgeSource, Progress, chroma_client, collection_name, ingest, is_current
from knowledge.rerank import load_cases, load_or_train
from knowledge.retriever import Retrieval, Retriever
from knowledge.statement import STATEMENT_PATH
from knowledge.taught import TaughtIndex


class IndexNotReady(Exception):
    """The index is missing or stale and may not be built here."""


def index_is_current(*, chroma_path: str, chroma_url: str | None = None, model: str = MODEL_NAME) -> bool:
    """Whether the index of the current statement for `model` exists, checked without loading the model."""
    try:
        client = chroma_client(path=chroma_path, url=chroma_url)
        return is_current(client, collection_name(KnowledgeSource.load(), model))
    except Exception:  # an unreachable Chroma server: let the normal start-up path report it
        return False


class KnowledgeBase:
    """Owns the Chroma connection and the retriever; `search` fails cleanly until it is ready."""

    def __init__(
        self,
        *,
        embeddings: Embeddings,
        chroma_path: str,
        chroma_url: str | None = None,
        statement_path: Path = STATEMENT_PATH,
        hints_path: Path | None = HINTS_PATH,
        cache_dir: Path | None = None,
        rerank: bool = True,
    ) -> None:
        self.embeddings = embeddings
        self.chroma_path = chroma_path
        self.chroma_url = chroma_url
        self.source = KnowledgeSource.load(statement_path, hints_path)
        # Where the learned re-ranking is cached (None: trained in memory at every start).
        self.cache_dir = cache_dir
        self.rerank = rerank
        self._index_name = ""
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()
        self._client: Any = None
        # What the privacy team taught in the console (loaded from the database by the answering side).
        self.taught = TaughtIndex(embeddings, client=self._chroma)

    def _chroma(self) -> Any:
        if self._client is None:
            self._client = chroma_client(path=self.chroma_path, url=self.chroma_url)
        return self._client

    @property
    def statement(self):  # type: ignore[no-untyped-def]
        return self.source.statement

    @property
    def retriever(self) -> Retriever | None:
        return self._retriever

    @property
    def ready(self) -> bool:
        return self._retriever is not None

    def prepare(self, *, auto_ingest: bool = True, progress: Progress | None = None) -> bool:
        """Connect, ingest if missing or stale (when allowed), build the retriever. Returns changed."""
        with self._lock:
            client = chroma_client(path=self.chroma_path, url=self.chroma_url)
            name = collection_name(self.source, self.embeddings)
            changed = False
            if auto_ingest:
                name, changed = ingest(client=client, embeddings=self.embeddings, source=self.source, progress=progress)
            elif not is_current(client, name):
                raise IndexNotReady("the knowledge index is missing or stale; run `privacy-bot ingest`")
            store = Chroma(collection_name=name, embedding_function=self.embeddings, client=client)
            retriever = Retriever(store=store, source=self.source, embeddings=self.embeddings)
            if self.rerank:
                retriever.reranker = load_or_train(retriever, fingerprint=name, cache_dir=self.cache_dir)
            self._retriever, self._index_name = retriever, name
            return changed

    def rank_without(self, sets: Sequence[Path]) -> None:
        """Re-train the re-ranking without the questions of `sets` (answer sets), so that measuring
        them measures questions it has not seen; no sets: the full re-ranking again."""
        retriever = self._retriever
        if retriever is None or not self.rerank:
            return
        cases = load_cases(exclude=sets)
        retriever.reranker = load_or_train(
            retriever, fingerprint=self._index_name, cache_dir=self.cache_dir, cases=cases
        )

    def search(self, query: str) -> Retrieval:
        retriever = self._retriever
        if retriever is None:
            raise IndexNotReady("the knowledge index is not ready yet")
        return retriever.search(query)
