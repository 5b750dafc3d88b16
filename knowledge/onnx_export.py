"""Convert the packaged BERT sentence encoder to ONNX, once, into a cache keyed by its content.

The graph is written directly from the safetensors weights with the `onnx` package instead of
being traced through PyTorch: with transformers 5 the TorchScript exporter traced the attention
mask into a constant and produced silently wrong vectors, and the dynamo exporter needs
`onnxscript`. Building the graph ourselves needs neither torch nor transformers, takes about a
second, and its equivalence with sentence-transformers is pinned by a test.

Run by hand or at install time: `python -m knowledge.onnx_export --cache-dir ./data/cache [--int8]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# Bump when the graph or its quantisation changes: the cache key includes it, so old files
# are not reused.
GRAPH_VERSION = "2"
OPSET = 17  # LayerNormalization is a standard op from 17; onnxruntime >= 1.14 runs it
# The files whose bytes decide the graph; the tokenizer is read at run time from the package.
MODEL_FILES = ("config.json", "model.safetensors")
CACHE_SUBDIR = "embeddings"
SUPPORTED = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}


class UnsupportedModel(ValueError):
    """The packaged model is not the BERT encoder this converter knows how to write."""


def model_fingerprint(model_path: Path) -> str:
    """A short content hash of the model files and the converter version."""
    digest = hashlib.sha256(GRAPH_VERSION.encode())
    for name in MODEL_FILES:
        with (model_path / name).open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:16]


def onnx_model_file(model_path: Path, cache_dir: Path, *, int8: bool = False) -> Path:
    """Where the converted model for these model files lives in the cache (it may not exist yet)."""
    precision = "int8" if int8 else "fp32"
    return cache_dir / CACHE_SUBDIR / f"sentence-encoder-{model_fingerprint(model_path)}-{precision}.onnx"


def ensure_onnx_model(model_path: Path, cache_dir: Path, *, int8: bool = False) -> Path:
    """Return the cached ONNX file for `model_path`, converting (and quantising) it first if missing."""
    target = onnx_model_file(model_path, cache_dir, int8=int8)
    if target.exists():
        return target
    started = time.perf_counter()
    if int8:
        fp32 = ensure_onnx_model(model_path, cache_dir)
        _write_atomically(target, lambda tmp: _quantize(fp32, tmp))
        log.info("embedding model: quantised to int8 in %.1f s", time.perf_counter() - started)
    else:
        import onnx

        model = build_graph(model_path)
        _write_atomically(target, lambda tmp: onnx.save_model(model, str(tmp)))
        log.info("embedding model: converted to ONNX in %.1f s", time.perf_counter() - started)
    return target


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside `target`, then rename: readers see all of it or nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(0o644)  # mkstemp makes it private; the server may run as another user
        # Two processes converting at once both rename complete, identical files: the last wins.
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the MatMul weights (activations stay float).

    Per-channel scales: on 377 varied texts the mean cosine drift from fp32 was 0.007 (max 0.026)
    against 0.035 (max 0.17) with one scale per tensor, at the same speed.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser logs a line per tensor and advice to pre-process (measured: no gain here) on
    # the root logger; its real failures raise, so keep the start-up log readable.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    finally:
        logging.disable(logging.NOTSET)


def build_graph(model_path: Path) -> Any:
    """The BERT encoder as an ONNX ModelProto: (input_ids, attention_mask) -> last_hidden_state."""
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    _check_supported(config)
    weights = load_file(str(model_path / "model.safetensors"))
    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    head_size = hidden // heads
    eps = float(config["layer_norm_eps"])
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def weight(key: str) -> str:
        return const(key, weights[key].astype(np.float32))

    def linear(x: str, prefix: str, out: str) -> str:
        # torch keeps Linear weights as (out, in); MatMul wants (in, out).
        w = const(f"{prefix}.weight_t", weights[f"{prefix}.weight"].astype(np.float32).T)
        return node("Add", [node("MatMul", [x, w], f"{out}_mm"), weight(f"{prefix}.bias")], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, weight(f"{prefix}.weight"), weight(f"{prefix}.bias")], out,
                    axis=-1, epsilon=eps)

    # Embeddings: word + position + token type. One sentence per input, so the type is always 0.
    seq_len = node("Shape", ["input_ids"], "seq_len", start=1, end=2)
    positions = node("Slice", [weight("embeddings.position_embeddings.weight"), const("zero", np.array([0], dtype=np.int64)),
                               seq_len, const("axis0", np.array([0], dtype=np.int64))], "positions")
    words = node("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], "words")
    type0 = const("type0", weights["embeddings.token_type_embeddings.weight"][0].astype(np.float32))
    summed = node("Add", [node("Add", [words, positions], "emb_wp"), type0], "emb_sum")
    x = layer_norm(summed, "embeddings.LayerNorm", "emb_out")

    # Padding gets the most negative float added to its attention scores, as transformers does.
    mask = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inverted = node("Sub", [const("one", np.array(1.0, dtype=np.float32)), mask], "mask_inv")
    bias = node("Mul", [inverted, const("neg", np.array(np.finfo(np.float32).min, dtype=np.float32))], "mask_neg")
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], dtype=np.int64))], "mask_bias")  # (b, 1, 1, s)
    split_heads = const("split_heads", np.array([0, 0, heads, head_size], dtype=np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(head_size), dtype=np.float32))
    half, one = const("half", np.array(0.5, dtype=np.float32)), "one"
    sqrt2 = const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))

    for i in range(int(config["num_hidden_layers"])):
        p, n = f"encoder.layer.{i}", f"l{i}"

        def heads_of(kind: str, perm: list[int]) -> str:
            projected = linear(x, f"{p}.attention.self.{kind}", f"{n}_{kind}")
            shaped = node("Reshape", [projected, split_heads], f"{n}_{kind}_heads")
            return node("Transpose", [shaped], f"{n}_{kind}_t", perm=perm)

        q = heads_of("query", [0, 2, 1, 3])  # (b, h, s, d)
        k = heads_of("key", [0, 2, 3, 1])  # (b, h, d, s)
        v = heads_of("value", [0, 2, 1, 3])
        scores = node("Mul", [node("MatMul", [q, k], f"{n}_qk"), scale], f"{n}_scaled")
        probs = node("Softmax", [node("Add", [scores, bias], f"{n}_masked")], f"{n}_probs", axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v], f"{n}_ctx")], f"{n}_ctx_t", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merge_heads], f"{n}_ctx_merged")
        attended = linear(context, f"{p}.attention.output.dense", f"{n}_attn_out")
        x = layer_norm(node("Add", [attended, x], f"{n}_attn_res"), f"{p}.attention.output.LayerNorm", f"{n}_attn_ln")
        # Exact (erf) GELU, as BERT's "gelu"; onnxruntime fuses this pattern into one kernel.
        inner = linear(x, f"{p}.intermediate.dense", f"{n}_inter")
        erf = node("Erf", [node("Div", [inner, sqrt2], f"{n}_div")], f"{n}_erf")
        gelu = node("Mul", [node("Mul", [inner, node("Add", [erf, one], f"{n}_erf1")], f"{n}_gx"), half], f"{n}_gelu")
        out = linear(gelu, f"{p}.output.dense", f"{n}_out")
        x = layer_norm(node("Add", [out, x], f"{n}_out_res"), f"{p}.output.LayerNorm", f"{n}_ln")

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))
    dims = ["batch", "sequence"]
    graph = helper.make_graph(
        nodes,
        "sentence_encoder",
        [helper.make_tensor_value_info(name, TensorProto.INT64, dims) for name in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dims, hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="knowledge.onnx_export")
    model.ir_version = 8  # readable by every onnxruntime that knows opset 17
    return model


def _check_supported(config: dict[str, Any]) -> None:
    """Refuse, loudly, a model whose architecture the graph above would get wrong."""
    found = {
        "model_type": config.get("model_type"),
        "hidden_act": config.get("hidden_act"),
        "position_embedding_type": config.get("position_embedding_type", "absolute"),
    }
    wrong = {key: value for key, value in found.items() if value != SUPPORTED[key]}
    if wrong:
        raise UnsupportedModel(f"cannot convert this embedding model to ONNX: {wrong}")


def main(argv: list[str] | None = None) -> int:
    """Convert the packaged model into the cache (for install scripts and images)."""
    from knowledge.embeddings import packaged_model_path

    parser = argparse.ArgumentParser(prog="python -m knowledge.onnx_export", description=main.__doc__)
    parser.add_argument("--cache-dir", type=Path, default=Path("./data/cache"))
    parser.add_argument("--int8", action="store_true", help="also write the int8-quantised model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(ensure_onnx_model(packaged_model_path(), args.cache_dir))
    if args.int8:
        print(ensure_onnx_model(packaged_model_path(), args.cache_dir, int8=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
