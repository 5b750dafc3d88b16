"""ONNX and PyTorch (sentence-transformers) give the same embeddings, so either can serve an index."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from knowledge.ingest import KnowledgeSource, build_documents

MAX_COSINE_DISTANCE = 1e-4

EDGE_CASES = [
    "",
    " ",
    "\n",
    "?",
    "...",
    "a",
    "DSAR",
    "GDPR Art. 15",
    "  leading and trailing spaces  ",
    "line one\nline two\n\nline four",
    "tabs\tand\tmore\ttabs",
    "Wie lange speichern Sie meine Daten?",
    "¿Cuánto tiempo guardan mis datos?",
    "Combien de temps conservez-vous mes données ?",
    "Kuinka kauan säilytätte tietojani?",
    "Как долго вы храните мои данные?",
    "你们会保存我的数据多久？",
    "個人情報はどのくらい保存されますか",
    "كم من الوقت تحتفظون ببياناتي؟",
    "מה אתם עושים עם המידע שלי",
    "😀😀 delete my data pls 🙏",
    "naïve café résumé — “quotes” ‘single’ …",
    "e-mail: someone@example.com, phone +358 20 475 1",
    "x" * 1000,
    "data " * 600,
    "🙂" * 300,
]
QUESTIONS = [
    f"{opening} {topic}?"
    for opening in ("How long do you keep", "Can I delete", "Who can see", "why do you need", "do u sell")
    for topic in (
        "my data",
        "my e-mail address",
        "the device logs",
        "my phone number",
        "cookies",
        "my location",
        "personal information from the app",
    )
]


def _texts(source: KnowledgeSource) -> list[str]:
    """A few hundred texts: every indexed document, whole sections (past 256 tokens), questions, oddities."""
    documents = [d.page_content for d in build_documents(source)]
    sections = [f"{s.title}\n\n{s.text}" for s in source.statement.sections]
    return documents + sections + QUESTIONS + EDGE_CASES


@pytest.mark.slow  # about 15 s: PyTorch embeds a few hundred texts, some of 256 tokens
def test_onnx_matches_pytorch(torch_embeddings: Any, onnx_embeddings: Any, source: KnowledgeSource) -> None:
    texts = _texts(source)
    assert len(texts) >= 300
    assert max(len(t.split()) for t in texts) > 256  # some texts are truncated by both
    torch_vectors = torch_embeddings.embed_many(texts)
    onnx_vectors = onnx_embeddings.embed_many(texts)
    distance = 1.0 - (torch_vectors * onnx_vectors).sum(axis=1)
    worst = int(np.argmax(distance))
    assert distance[worst] < MAX_COSINE_DISTANCE, f"{distance[worst]:.2e} for {texts[worst][:60]!r}"


def test_queries_match_too(torch_embeddings: Any, onnx_embeddings: Any) -> None:
    """The query path (cache, batcher, single text) agrees as well as the document path."""
    for question in QUESTIONS[:5] + EDGE_CASES[:3]:
        cosine = float(np.dot(torch_embeddings.embed_query(question), onnx_embeddings.embed_query(question)))
        assert 1.0 - cosine < MAX_COSINE_DISTANCE, question
