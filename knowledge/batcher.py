"""Micro-batching: texts that wait for the model at the same moment share one model call.

The server answers turns in a thread pool, so several questions often need an embedding at once.
Each of `workers` threads takes whatever is queued (waiting at most `max_wait` for more to arrive,
at most `max_batch` texts), runs one batch, and hands each caller its row through a Future. While
the model is busy, new texts queue up, so under load batches form by themselves. With one worker
per core and single-threaded model calls, the cores run batches side by side instead of one call
spreading over them (which costs more CPU: onnxruntime's thread pool synchronises per operator).

Measured on 2 cores (bench/embeddings.py): a batch of 4-16 short questions costs about 30% less
CPU per text than single calls (fp32; about 10% int8), beyond 16 padding eats the gain; waiting
1 ms for company raised the median latency and lowered throughput with eight busy threads, so by
default nothing waits: a lone question runs at once, and the batch is whatever queued meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

log = logging.getLogger(__name__)

# One call of the model: n texts in, an (n, dim) matrix out, row i for text i.
BatchFunction = Callable[[Sequence[str]], np.ndarray]


class BatcherClosed(RuntimeError):
    """The batcher was closed; no more texts are embedded."""


class Batcher:
    """Runs `run` on batches of the texts submitted from any thread; `close()` stops its worker."""

    def __init__(
        self,
        run: BatchFunction,
        *,
        max_batch: int = 16,
        max_wait: float = 0.0,
        workers: int = 1,
        name: str = "embedding-batcher",
    ) -> None:
        if max_batch < 1 or max_wait < 0 or workers < 1:
            raise ValueError("max_batch and workers must be >= 1 and max_wait >= 0")
        self._run = run
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._name = name
        self.workers = workers
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False
        # Read by tests and benchmarks: how many model calls served how many texts.
        self.calls = 0
        self.texts = 0

    def submit(self, text: str) -> Future[np.ndarray]:
        """Queue `text`; the Future resolves to its vector, or to the error embedding it raised."""
        future: Future[np.ndarray] = Future()
        with self._lock:
            if self._closed:
                raise BatcherClosed("the embedding batcher is closed")
            if not self._threads:
                # Started on first use, so a process that only ingests never holds idle threads.
                self._threads = [
                    threading.Thread(target=self._serve, name=f"{self._name}-{i}", daemon=True)
                    for i in range(self.workers)
                ]
                for thread in self._threads:
                    thread.start()
            self._queue.put((text, future))
        return future

    def embed(self, text: str, timeout: float | None = None) -> np.ndarray:
        """Embed one text through the shared batches and wait for its vector."""
        future = self.submit(text)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()  # still queued: the worker will skip it; already running: harmless
            raise

    def close(self, timeout: float | None = None) -> None:
        """Finish what is queued, stop the worker threads and refuse new texts."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = list(self._threads)
            for _ in threads:
                self._queue.put(None)  # one stop sign per worker
        for thread in threads:
            thread.join(timeout)
        self._fail_pending()

    def _serve(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()  # blocks: no polling while idle
            if first is None:
                break
            batch = [first]
            deadline = time.monotonic() + self.max_wait
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    stopping = True  # finish this batch, then stop
                    break
                batch.append(item)
            try:
                self._dispatch(batch)
            except Exception as exc:  # a bug here must not leave callers waiting forever
                log.exception("embedding batcher failed")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)

    def _dispatch(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        """Embed each distinct text of `batch` once and settle every live Future."""
        waiting: dict[str, list[Future[np.ndarray]]] = {}
        for text, future in batch:
            # False when the caller gave up before we started: nobody waits for that vector.
            if future.set_running_or_notify_cancel():
                waiting.setdefault(text, []).append(future)
        if not waiting:
            return
        texts = list(waiting)
        try:
            vectors = self._call(texts)
        except Exception as exc:
            if len(texts) == 1:
                for future in waiting[texts[0]]:
                    future.set_exception(exc)
                return
            # One bad text must not fail the others: retry one by one, so each error reaches only
            # the callers whose text raised it.
            log.warning("embedding batch of %d failed; retrying its texts one by one", len(texts))
            for text in texts:
                self._dispatch_one(text, waiting[text])
            return
        for text, row in zip(texts, vectors, strict=True):
            for future in waiting[text]:
                future.set_result(row)

    def _dispatch_one(self, text: str, futures: list[Future[np.ndarray]]) -> None:
        try:
            row = self._call([text])[0]
        except Exception as exc:
            for future in futures:
                future.set_exception(exc)
            return
        for future in futures:
            future.set_result(row)

    def _call(self, texts: list[str]) -> np.ndarray:
        vectors = self._run(texts)
        with self._lock:  # several workers count
            self.calls += 1
            self.texts += len(texts)
        if len(vectors) != len(texts):
            raise RuntimeError(f"the model returned {len(vectors)} vectors for {len(texts)} texts")
        return vectors

    def _fail_pending(self) -> None:
        """Settle anything still queued after the worker stopped (e.g. a join that timed out)."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None and item[1].set_running_or_notify_cancel():
                item[1].set_exception(BatcherClosed("the embedding batcher is closed"))
