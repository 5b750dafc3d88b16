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
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
    finally:
        logging.disable(logging.NOTSET)


def build_graph(model_path: Path) -> Any:
    """The BERT encoder as an ONNX ModelProto: (input_ids, attention_mask) -> last_hidden_state."""
    from onnx import helper
    from safetensors.numpy import load_file

    config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    _check_supported(config)
    builder = _GraphBuilder(load_file(str(model_path / "model.safetensors")), config)
    x = builder.embeddings()
    bias = builder.attention_bias()
    for i in range(int(config["num_hidden_layers"])):
        x = builder.attention(x, bias, f"encoder.layer.{i}", f"l{i}")
        x = builder.feed_forward(x, f"encoder.layer.{i}", f"l{i}")
    model = helper.make_model(
        builder.graph(x), opset_imports=[helper.make_opsetid("", OPSET)], producer_name="knowledge.onnx_export"
    )
    model.ir_version = 8  # readable by every onnxruntime that knows opset 17
    return model


class _GraphBuilder:
    """Collects the nodes and weights of the graph; each method adds one block of BERT."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        from onnx import helper, numpy_helper

        self._helper, self._numpy_helper = helper, numpy_helper
        self.weights = weights
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def const(self, name: str, value: np.ndarray | float | list[int]) -> str:
        """An initializer: lists are int64 shapes and axes; weights and scalars are float32."""
        array = np.asarray(value, dtype=np.int64 if isinstance(value, list) else np.float32)
        self.initializers.append(self._numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        self.nodes.append(self._helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def weight(self, key: str) -> str:
        return self.const(key, self.weights[key])

    def linear(self, x: str, prefix: str, out: str) -> str:
        # torch keeps Linear weights as (out, in); MatMul wants (in, out).
        w = self.const(f"{prefix}.weight_t", self.weights[f"{prefix}.weight"].T)
        return self.node("Add", [self.node("MatMul", [x, w], f"{out}_mm"), self.weight(f"{prefix}.bias")], out)

    def layer_norm(self, x: str, prefix: str, out: str) -> str:
        scale_and_shift = [self.weight(f"{prefix}.weight"), self.weight(f"{prefix}.bias")]
        return self.node("LayerNormalization", [x, *scale_and_shift], out, axis=-1, epsilon=self.eps)

    def embeddings(self) -> str:
        """Word + position + token type. One sentence per input, so the type is always 0."""
        seq_len = self.node("Shape", ["input_ids"], "seq_len", start=1, end=2)
        table = self.weight("embeddings.position_embeddings.weight")
        positions = self.node("Slice", [table, self.const("zero", [0]), seq_len, self.const("axis0", [0])], "positions")
        words = self.node("Gather", [self.weight("embeddings.word_embeddings.weight"), "input_ids"], "words")
        type0 = self.const("type0", self.weights["embeddings.token_type_embeddings.weight"][0])
        summed = self.node("Add", [self.node("Add", [words, positions], "emb_wp"), type0], "emb_sum")
        return self.layer_norm(summed, "embeddings.LayerNorm", "emb_out")

    def attention_bias(self) -> str:
        """(b, 1, 1, s): 0 for real tokens, the most negative float for padding, as transformers."""
        from onnx import TensorProto

        mask = self.node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
        inverted = self.node("Sub", [self.const("one", 1.0), mask], "mask_inv")
        bias = self.node("Mul", [inverted, self.const("neg", float(np.finfo(np.float32).min))], "mask_neg")
        return self.node("Unsqueeze", [bias, self.const("axes12", [1, 2])], "mask_bias")

    def attention(self, x: str, bias: str, p: str, n: str) -> str:
        """Multi-head self-attention with its residual and LayerNorm."""
        head_size = self.hidden // self.heads
        split = self.const(f"{n}_split", [0, 0, self.heads, head_size])

        def heads_of(kind: str, perm: list[int]) -> str:
            projected = self.linear(x, f"{p}.attention.self.{kind}", f"{n}_{kind}")
            shaped = self.node("Reshape", [projected, split], f"{n}_{kind}_heads")
            return self.node("Transpose", [shaped], f"{n}_{kind}_t", perm=perm)

        q = heads_of("query", [0, 2, 1, 3])  # (b, h, s, d)
        k = heads_of("key", [0, 2, 3, 1])  # (b, h, d, s)
        v = heads_of("value", [0, 2, 1, 3])
        scale = self.const(f"{n}_scale", 1.0 / math.sqrt(head_size))
        scores = self.node("Mul", [self.node("MatMul", [q, k], f"{n}_qk"), scale], f"{n}_scaled")
        probs = self.node("Softmax", [self.node("Add", [scores, bias], f"{n}_masked")], f"{n}_probs", axis=-1)
        context = self.node("Transpose", [self.node("MatMul", [probs, v], f"{n}_ctx")], f"{n}_ctx_t", perm=[0, 2, 1, 3])
        merged = self.node("Reshape", [context, self.const(f"{n}_merge", [0, 0, self.hidden])], f"{n}_ctx_merged")
        attended = self.linear(merged, f"{p}.attention.output.dense", f"{n}_attn_out")
        residual = self.node("Add", [attended, x], f"{n}_attn_res")
        return self.layer_norm(residual, f"{p}.attention.output.LayerNorm", f"{n}_attn_ln")

    def feed_forward(self, x: str, p: str, n: str) -> str:
        """Intermediate dense with exact (erf) GELU, output dense, residual and LayerNorm."""
        inner = self.linear(x, f"{p}.intermediate.dense", f"{n}_inter")
        # BERT's "gelu" is x * 0.5 * (1 + erf(x / sqrt 2)); onnxruntime fuses this into one kernel.
        erf = self.node(
            "Erf", [self.node("Div", [inner, self.const(f"{n}_sqrt2", math.sqrt(2.0))], f"{n}_div")], f"{n}_erf"
        )
        plus_one = self.node("Add", [erf, self.const(f"{n}_one", 1.0)], f"{n}_erf1")
        gelu = self.node(
            "Mul", [self.node("Mul", [inner, plus_one], f"{n}_gx"), self.const(f"{n}_half", 0.5)], f"{n}_gelu"
        )
        out = self.linear(gelu, f"{p}.output.dense", f"{n}_out")
        return self.layer_norm(self.node("Add", [out, x], f"{n}_out_res"), f"{p}.output.LayerNorm", f"{n}_ln")

    def graph(self, x: str) -> Any:
        """The finished graph with `x` as its output `last_hidden_state`."""
        from onnx import TensorProto

        helper = self._helper
        self.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))
        dims = ["batch", "sequence"]
        inputs = [
            helper.make_tensor_value_info(name, TensorProto.INT64, dims) for name in ("input_ids", "attention_mask")
        ]
        output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dims, self.hidden])
        return helper.make_graph(self.nodes, "sentence_encoder", inputs, [output], self.initializers)


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
