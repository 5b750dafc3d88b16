"""Retrieval fixtures: the real statement, hints and model, from the session-wide index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.ingest import KnowledgeSource
from knowledge.retriever import Retriever


@pytest.fixture(scope="session")
def source(knowledge: Any) -> KnowledgeSource:
    return knowledge.source


@pytest.fixture(scope="session")
def retriever(knowledge: Any) -> Retriever:
    """The Retriever over the session's ingested index (see tests/conftest.py)."""
    return knowledge.retriever


@pytest.fixture(scope="session")
def onnx_cache(shared_dirs: dict[str, Path]) -> Path:
    """The converted model lives in pytest's cache, keyed by content, so runs after the first reuse it."""
    return shared_dirs["cache"]


@pytest.fixture(scope="session")
def onnx_embeddings(embeddings: Any) -> Any:
    """The ONNX embedder over the packaged model: the session's shared one (tests/conftest.py)."""
    return embeddings


@pytest.fixture(scope="session")
def torch_embeddings() -> Iterator[Any]:
    """The PyTorch (sentence-transformers) embedder, only to show ONNX gives the same vectors."""
    from knowledge.embeddings import load_embeddings

    embedder = load_embeddings(cache_dir=Path(), backend="torch")
    yield embedder
    embedder.close()
