"""The ONNX conversion is cached by content, written atomically and refuses models it cannot write."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from knowledge.embeddings import packaged_model_path
from knowledge.onnx_export import UnsupportedModel, build_graph, ensure_onnx_model, onnx_model_file


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A model folder of our own: the config is copied (to edit), the weights are linked."""
    source, copy = packaged_model_path(), tmp_path / "model"
    copy.mkdir()
    for entry in source.iterdir():
        if entry.name == "config.json":
            shutil.copy(entry, copy / entry.name)
        else:
            (copy / entry.name).symlink_to(entry)
    return copy


def test_conversion_is_reused_from_the_cache(onnx_cache: Path) -> None:
    first = ensure_onnx_model(packaged_model_path(), onnx_cache)
    before = first.stat().st_mtime_ns
    again = ensure_onnx_model(packaged_model_path(), onnx_cache)
    assert again == first and again.stat().st_mtime_ns == before
    assert [p.name for p in first.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_changed_model_gets_its_own_file(model_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    original = ensure_onnx_model(model_copy, cache)
    config = json.loads((model_copy / "config.json").read_text())
    config["layer_norm_eps"] = 1e-6  # a new package version with other numbers
    (model_copy / "config.json").write_text(json.dumps(config))
    changed = onnx_model_file(model_copy, cache)
    assert changed != original and not changed.exists()
    assert ensure_onnx_model(model_copy, cache) == changed and changed.exists()


def test_a_failed_write_leaves_neither_file_nor_temporary(
    model_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnx

    def crash(model: object, path: str) -> None:
        Path(path).write_bytes(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(onnx, "save_model", crash)
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="disk full"):
        ensure_onnx_model(model_copy, cache)
    assert os.listdir(cache / "embeddings") == []


def test_an_unknown_architecture_is_refused(model_copy: Path) -> None:
    config = json.loads((model_copy / "config.json").read_text())
    config["hidden_act"] = "relu"
    (model_copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(UnsupportedModel, match="hidden_act"):
        build_graph(model_copy)


def test_the_graph_masks_padding(onnx_cache: Path) -> None:
    """A text's real tokens get the same vectors whether or not padding follows them."""
    session = ort.InferenceSession(
        str(ensure_onnx_model(packaged_model_path(), onnx_cache)), providers=["CPUExecutionProvider"]
    )
    ids = np.array([[101, 2129, 2146, 2079, 2017, 102]], dtype=np.int64)
    alone = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    padded_ids = np.concatenate([ids, np.zeros((1, 4), dtype=np.int64)], axis=1)
    mask = (padded_ids != 0).astype(np.int64)
    padded = session.run(None, {"input_ids": padded_ids, "attention_mask": mask})[0]
    assert alone.shape == (1, 6, 384)
    np.testing.assert_allclose(padded[:, :6], alone, atol=1e-5)


def test_concurrent_conversions_leave_one_whole_file(tmp_path: Path) -> None:
    """Workers starting together may both convert; each rename is whole, the reader never sees half."""
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(max_workers=3) as pool:
        paths = list(pool.map(lambda _: ensure_onnx_model(packaged_model_path(), cache), range(3)))
    assert len(set(paths)) == 1
    assert os.listdir(cache / "embeddings") == [paths[0].name]
    ort.InferenceSession(str(paths[0]), providers=["CPUExecutionProvider"])  # loads: not truncated
