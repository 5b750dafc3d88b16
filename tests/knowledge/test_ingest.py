"""Ingest is offline, section-aware, idempotent by content hash, and reports progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge.ingest import KnowledgeSource, build_documents, chroma_client, collection_name, ingest


class CountingEmbeddings:
    """Wraps the real model and counts how many texts it was asked to embed."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_every_document_carries_its_section() -> None:
    docs = build_documents(KnowledgeSource.load())
    kinds = {d.metadata["kind"] for d in docs}
    assert {"passage", "chunk"} <= kinds
    sections = {d.metadata["section"] for d in docs}
    assert sections == {"intro", "1", "2", "3", "4", "5", "6", "7"}
    assert len({d.id for d in docs}) == len(docs)  # stable, unique ids: upserts converge


def test_ingest_is_idempotent_and_reports_progress(tmp_path: Path, embeddings: Any) -> None:
    counting = CountingEmbeddings(embeddings)
    client = chroma_client(path=str(tmp_path / "chroma"))
    source = KnowledgeSource.load()
    stages: list[tuple[str, int, int]] = []
    name, changed = ingest(client=client, embeddings=counting, source=source, progress=lambda *a: stages.append(a))
    assert changed and counting.embedded == len(build_documents(source))
    assert stages[-1][0] == "done" and any(s[0] == "embedding" for s in stages)
    assert client.get_collection(name).metadata["complete"] is True

    counting.embedded = 0
    again, changed = ingest(client=client, embeddings=counting, source=source)
    assert (again, changed, counting.embedded) == (name, False, 0)


def test_a_changed_statement_is_a_new_index_and_the_old_is_dropped(tmp_path: Path, embeddings: Any) -> None:
    client = chroma_client(path=str(tmp_path / "chroma"))
    original = KnowledgeSource.load()
    first, _ = ingest(client=client, embeddings=embeddings, source=original)
    edited_path = tmp_path / "statement.md"
    edited_path.write_text(original.statement.source_text.replace("364 days", "365 days"), encoding="utf-8")
    edited = KnowledgeSource.load(edited_path, None)
    second, changed = ingest(client=client, embeddings=embeddings, source=edited)
    assert changed and second != first == collection_name(original, embeddings)
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert names == [second]


def test_chroma_telemetry_is_off(tmp_path: Path) -> None:
    client = chroma_client(path=str(tmp_path / "chroma"))
    assert client.get_settings().anonymized_telemetry is False
