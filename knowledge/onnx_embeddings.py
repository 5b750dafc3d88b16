"""Sentence embeddings with onnxruntime and the `tokenizers` library: no torch in the process.

Same vectors as sentence-transformers with all-MiniLM-L6-v2 (within float rounding): the text is
cut to 256 tokens, a batch is padded to its longest text, token vectors are averaged over the
attention mask and the mean is scaled to unit length.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
from langchain_core.embeddings import Embeddings
from tokenizers import Encoding, Tokenizer

from knowledge.batcher import Batcher

log = logging.getLogger(__name__)

MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of the packaged model
# Ingest batches are cut by padded size: onnxruntime keeps its peak working memory for the life of
# the process. Measured embedding the statement's 316 documents: 32 texts a batch left the process
# at 551 MB; at most 2048 padded tokens a batch (8 texts of 256 tokens, 32 short ones) at 325 MB,
# and no slower (3.5 s against 4.6-7.5 s on a busy machine).
DOCUMENT_BATCH_TOKENS = 2048
DOCUMENT_BATCH = 32


class OnnxEmbeddings(Embeddings):
    """langchain Embeddings over an ONNX export of the packaged model, with a small query cache.

    `embed_query` goes through a Batcher, so questions asked at the same moment from several
    threads share one model call; `embed_documents` runs its own batches directly. `threads` is how
    many model calls run side by side (0: one per core); each call is single-threaded, which costs
    the least CPU per text (measured: 5.7 ms against 9.8 ms for onnxruntime's own two-thread pool).
    """

    def __init__(
        self,
        onnx_path: Path,
        model_path: Path,
        *,
        name: str,
        threads: int = 0,
        cache_size: int = 2048,
        max_batch: int = 16,
        max_wait: float = 0.0,
    ) -> None:
        started = time.perf_counter()
        self.model_path = model_path  # the retriever reads vocab.txt from here
        self.onnx_path = onnx_path
        self._name = name
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        # Set explicitly rather than trusting tokenizer.json, which may carry other defaults.
        # Padding is ours (per batch, to its longest text), so texts can be sorted by length first.
        self._tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self._tokenizer.no_padding()
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallelism comes from calls side by side (the batcher)
        options.inter_op_num_threads = 1  # the graph is a chain: parallel branches buy nothing
        # Idle pool threads must not spin on the cores the other requests need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        workers = threads if threads > 0 else max(1, os.cpu_count() or 1)
        self._batcher = Batcher(self._encode, max_batch=max_batch, max_wait=max_wait, workers=workers)
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        # The first run plans memory and picks kernels (tens of ms); pay it here, not on a question.
        self._encode(["warm up"])
        log.info("embedding model: loaded ONNX in %.2f s", time.perf_counter() - started)

    @property
    def name(self) -> str:
        return self._name

    @property
    def batcher(self) -> Batcher:
        """The query batcher (its `calls` and `texts` counters show how well batches form)."""
        return self._batcher

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self.embed_many(texts).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector: list[float] = self._batcher.embed(text).tolist()
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a batch as a (n, dim) float32 matrix (used for ingest and classifier training)."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        encodings = self._tokenize(texts)
        # Texts of similar length share a batch, so little compute goes into padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches: list[list[int]] = [[]]
        for i in order:
            width = len(encodings[i].ids)  # the longest so far: the batch is padded to it
            batch = batches[-1]
            if batch and (len(batch) == DOCUMENT_BATCH or (len(batch) + 1) * width > DOCUMENT_BATCH_TOKENS):
                batches.append([])
            batches[-1].append(i)
        batches = [b for b in batches if b]

        def run(batch: list[int]) -> None:
            out[batch] = self._run([encodings[j] for j in batch])

        # Each call is single-threaded: the batches run side by side, one per worker (all cores).
        if len(batches) > 1 and self._batcher.workers > 1:
            with ThreadPoolExecutor(self._batcher.workers, thread_name_prefix="embed-documents") as pool:
                list(pool.map(run, batches))
        else:
            for batch in batches:
                run(batch)
        return out

    @property
    def dimension(self) -> int:
        """Length of one embedding vector."""
        return int(self._session.get_outputs()[0].shape[-1])

    def close(self) -> None:
        """Stop the batcher's worker thread (queries already waiting still get their vectors)."""
        self._batcher.close()

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        """One model call for `texts` (the batcher's unit of work)."""
        return self._run(self._tokenize(texts))

    def _tokenize(self, texts: Sequence[str]) -> list[Encoding]:
        # langchain's HuggingFaceEmbeddings does the same; BERT's tokenizer treats both as space.
        return self._tokenizer.encode_batch([t.replace("\n", " ") for t in texts])

    def _run(self, encodings: Sequence[Encoding]) -> np.ndarray:
        """Pad to the longest, run the model, mean-pool over real tokens, scale to unit length."""
        ids = np.full((len(encodings), max(len(e.ids) for e in encodings)), self._pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        weights = mask[:, :, None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        # sentence-transformers clamps the token count at 1e-9 and the norm at 1e-12.
        pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit
