"""The batcher shares model calls between waiting texts and keeps each caller's failure its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError, Future

import numpy as np
import pytest

from knowledge.batcher import Batcher, BatcherClosed


class FakeModel:
    """Vectors derived from the text; the first call can be held so that others queue behind it."""

    def __init__(self, *, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def hold(self) -> None:
        """Make the next call wait for `release`, so texts submitted meanwhile form one batch."""
        self.entered.clear()
        self.release.clear()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.entered.set()
        assert self.release.wait(5)
        self.batches.append(list(texts))
        if self.fail_on is not None and self.fail_on in texts:
            raise ValueError(f"cannot embed {self.fail_on!r}")
        return np.array([[len(t), sum(map(ord, t))] for t in texts], dtype=np.float32)


@pytest.fixture
def model() -> FakeModel:
    return FakeModel()


@pytest.fixture
def batcher(model: FakeModel) -> Iterator[Batcher]:
    batcher = Batcher(model, max_batch=8, max_wait=0.002)
    yield batcher
    model.release.set()
    batcher.close()


def _occupy(batcher: Batcher, model: FakeModel) -> Future[np.ndarray]:
    """Start a first call and hold it in the model, so what is submitted next has to queue."""
    model.hold()
    first = batcher.submit("first")
    assert model.entered.wait(5)
    return first


def test_texts_waiting_together_share_one_call(batcher: Batcher, model: FakeModel) -> None:
    first = _occupy(batcher, model)
    futures = {f"question {i}": batcher.submit(f"question {i}") for i in range(20)}
    model.release.set()
    assert first.result(5)[0] == len("first")
    for text, future in futures.items():
        np.testing.assert_array_equal(future.result(5), [len(text), sum(map(ord, text))])
    # One held call, then 20 queued texts in batches of at most 8.
    assert [len(b) for b in model.batches] == [1, 8, 8, 4]
    assert batcher.calls == 4 and batcher.texts == 21


def test_identical_texts_are_embedded_once(batcher: Batcher, model: FakeModel) -> None:
    _occupy(batcher, model)
    same = [batcher.submit("how long do you keep my data") for _ in range(3)]
    other = batcher.submit("who is the controller")
    model.release.set()
    vectors = [f.result(5) for f in same]
    other.result(5)
    assert model.batches[1] == ["how long do you keep my data", "who is the controller"]
    assert all(np.array_equal(v, vectors[0]) for v in vectors)


def test_a_failing_text_fails_only_its_caller(model: FakeModel) -> None:
    model.fail_on = "poison"
    batcher = Batcher(model, max_batch=8, max_wait=0.002)
    try:
        _occupy(batcher, model)
        good = [batcher.submit(f"fine {i}") for i in range(3)]
        bad = batcher.submit("poison")
        model.release.set()
        with pytest.raises(ValueError, match="poison"):
            bad.result(5)
        assert [len(f.result(5)) for f in good] == [2, 2, 2]
        # The failed batch, then each of its texts alone.
        assert model.batches[1] == ["fine 0", "fine 1", "fine 2", "poison"]
        assert sorted(map(tuple, model.batches[2:])) == [("fine 0",), ("fine 1",), ("fine 2",), ("poison",)]
        # The worker survives: later texts still get vectors.
        assert batcher.embed("after", timeout=5)[0] == len("after")
    finally:
        batcher.close()


def test_an_abandoned_caller_blocks_no_one(batcher: Batcher, model: FakeModel) -> None:
    _occupy(batcher, model)
    with pytest.raises(TimeoutError):
        batcher.embed("impatient", timeout=0.01)
    kept = batcher.submit("patient")
    model.release.set()
    assert kept.result(5)[0] == len("patient")
    # The caller that gave up while queued was skipped, not embedded for nobody.
    assert "impatient" not in {t for batch in model.batches for t in batch}


def test_a_cancelled_future_stays_cancelled(batcher: Batcher, model: FakeModel) -> None:
    _occupy(batcher, model)
    gone = batcher.submit("gone")
    assert gone.cancel()
    model.release.set()
    assert batcher.embed("next", timeout=5)[0] == len("next")
    with pytest.raises(CancelledError):
        gone.result(0)


def test_close_finishes_queued_texts_and_leaves_no_thread(model: FakeModel) -> None:
    batcher = Batcher(model, max_batch=8, max_wait=0.002, name="test-batcher-close")
    _occupy(batcher, model)
    queued = batcher.submit("queued before close")
    closer = threading.Thread(target=batcher.close)
    closer.start()
    model.release.set()
    closer.join(5)
    assert queued.result(0)[0] == len("queued before close")
    assert not [t for t in threading.enumerate() if t.name.startswith("test-batcher-close")]
    with pytest.raises(BatcherClosed):
        batcher.submit("too late")
    batcher.close()  # closing twice is harmless


def test_no_thread_until_first_use(model: FakeModel) -> None:
    batcher = Batcher(model, name="test-batcher-idle")
    assert not [t for t in threading.enumerate() if t.name.startswith("test-batcher-idle")]
    batcher.close()
    assert model.batches == []


def test_workers_run_batches_side_by_side() -> None:
    """With two workers, a second batch runs while the first is still in the model."""
    inside = threading.Barrier(2, timeout=5)
    entered = threading.Event()

    def slow(texts: Sequence[str]) -> np.ndarray:
        entered.set()
        inside.wait()  # both calls must be in the model at once, or this times out
        return np.array([[len(t)] for t in texts], dtype=np.float32)

    batcher = Batcher(slow, workers=2, name="test-batcher-workers")
    try:
        first = batcher.submit("one")
        assert entered.wait(5)  # the first batch is in the model; the second must not wait for it
        second = batcher.submit("three")
        assert first.result(5)[0] == 3 and second.result(5)[0] == 5
        assert batcher.calls == 2
    finally:
        batcher.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("test-batcher-workers")]
