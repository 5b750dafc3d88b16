"""The ONNX embedder: the public surface of LocalEmbeddings, shared batches, and no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.embeddings import MODEL_NAME, load_embeddings, packaged_model_path
from knowledge.onnx_embeddings import OnnxEmbeddings
from knowledge.onnx_export import ensure_onnx_model

ROOT = Path(__file__).resolve().parents[2]
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers", "langchain_huggingface")


def _embedder(onnx_cache: Path, cls: type[OnnxEmbeddings] = OnnxEmbeddings, **options: Any) -> OnnxEmbeddings:
    onnx_path = ensure_onnx_model(packaged_model_path(), onnx_cache)
    return cls(onnx_path, packaged_model_path(), name=MODEL_NAME, **options)


def test_same_surface_as_the_torch_embedder(onnx_embeddings: Any) -> None:
    assert onnx_embeddings.name == MODEL_NAME  # the same index serves both backends
    assert (onnx_embeddings.model_path / "vocab.txt").exists()  # the retriever reads it
    vector = onnx_embeddings.embed_query("How long do you keep my data?")
    assert len(vector) == 384 and isinstance(vector[0], float)
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-5
    assert onnx_embeddings.embed_query("How long do you keep my data?") is vector  # cached
    many = onnx_embeddings.embed_many(["How long do you keep my data?", "", "Wer ist verantwortlich?"])
    assert many.shape == (3, 384) and many.dtype == np.float32
    np.testing.assert_allclose(many[0], vector, atol=1e-6)
    np.testing.assert_allclose(
        onnx_embeddings.embed_documents(["", "x"]), [many[1], onnx_embeddings.embed_query("x")], atol=1e-6
    )
    assert onnx_embeddings.embed_many([]).shape == (0, 384)


def test_long_texts_are_cut_at_256_tokens(onnx_embeddings: Any) -> None:
    long = "personal data " * 400
    longer = long + "completely different words about cats and dogs " * 50
    a, b = onnx_embeddings.embed_many([long, longer])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_threads_are_calls_side_by_side_each_single_threaded(onnx_cache: Path) -> None:
    embedder = _embedder(onnx_cache, threads=3)
    try:
        assert embedder._session.get_session_options().intra_op_num_threads == 1
        assert embedder.batcher.workers == 3
    finally:
        embedder.close()


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown embedding backend"):
        load_embeddings(cache_dir=tmp_path, backend="tensorflow")


def test_concurrent_queries_share_calls_and_get_their_own_vectors(onnx_cache: Path) -> None:
    # A long wait makes the batches certain here; the server default is a millisecond.
    embedder = _embedder(onnx_cache, max_wait=0.05)
    texts = [
        f"Question {i}: can I {verb} my data?"
        for i, verb in enumerate(["see", "delete", "correct", "move", "restrict", "export", "keep", "erase"] * 3)
    ]
    alone = {t: embedder._encode([t])[0] for t in texts}
    calls_before = embedder.batcher.calls
    start = threading.Barrier(len(texts))
    got: dict[str, list[float]] = {}

    def ask(text: str) -> None:
        start.wait()
        got[text] = embedder.embed_query(text)

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        embedder.close()
    assert set(got) == set(texts)
    for text in texts:
        np.testing.assert_allclose(got[text], alone[text], atol=1e-6)
    calls = embedder.batcher.calls - calls_before
    assert calls < len(texts) / 2, f"{calls} model calls for {len(texts)} concurrent questions"


class _Poisoned(OnnxEmbeddings):
    """Fails any model call that contains the word 'poison', as a bad input would."""

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if any("poison" in t for t in texts):
            raise ValueError("the model cannot read this text")
        return super()._encode(texts)


def test_a_failing_query_fails_only_its_caller(onnx_cache: Path) -> None:
    embedder = _embedder(onnx_cache, cls=_Poisoned, max_wait=0.05)
    texts = ["Who is the controller?", "poison pill", "Can I object to marketing?", "Where is my data stored?"]
    start = threading.Barrier(len(texts))
    outcome: dict[str, object] = {}

    def ask(text: str) -> None:
        start.wait()
        try:
            outcome[text] = embedder.embed_query(text)
        except ValueError as exc:
            outcome[text] = exc

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        embedder.close()
    assert isinstance(outcome.pop("poison pill"), ValueError)
    assert all(isinstance(v, list) and len(v) == 384 for v in outcome.values())
    assert len(outcome) == 3


def test_close_leaves_no_thread_behind(onnx_cache: Path) -> None:
    before = set(threading.enumerate())
    embedder = _embedder(onnx_cache)
    embedder.embed_query("start the worker")
    assert set(threading.enumerate()) - before  # the batcher's worker
    embedder.close()
    assert set(threading.enumerate()) - before == set()


def test_int8_backend_is_close_to_fp32_under_its_own_name(onnx_cache: Path, onnx_embeddings: Any) -> None:
    int8 = load_embeddings(cache_dir=onnx_cache, backend="onnx-int8")
    try:
        assert int8.name != onnx_embeddings.name  # drifted vectors get their own index
        texts = ["How long do you keep my data?", "Who do you share my personal data with?"]
        cosine = (int8.embed_many(texts) * onnx_embeddings.embed_many(texts)).sum(axis=1)
        assert cosine.min() > 0.97
    finally:
        int8.close()


_NO_TORCH_SCRIPT = """
import json, logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, format="%(message)s")
from knowledge.embeddings import load_embeddings
embedder = load_embeddings(cache_dir=Path(sys.argv[1]), threads=1)
vector = embedder.embed_query("Can I ask you to delete my data?")
matrix = embedder.embed_documents(["one", "two"])
embedder.close()
print(json.dumps({"dim": len(vector), "rows": len(matrix),
                  "loaded": [m for m in sys.argv[2].split(",") if m in sys.modules]}))
"""


@pytest.mark.slow
def test_converting_and_embedding_import_no_torch(tmp_path: Path) -> None:
    """A fresh process converts, loads and embeds with none of the PyTorch stack imported."""
    result = subprocess.run(
        [sys.executable, "-c", _NO_TORCH_SCRIPT, str(tmp_path / "cache"), ",".join(HEAVY_MODULES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        # This checkout first on the path, whichever checkout the package is installed from.
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"dim": 384, "rows": 2, "loaded": []}
    assert "embedding model: converted to ONNX in" in result.stderr
    assert "embedding model: loaded ONNX in" in result.stderr
