"""Embedding backends compared: PyTorch vs ONNX fp32 vs ONNX int8, with one and two threads.

Each backend runs in a fresh process (so one's imports never weigh on another's memory), which
reports its import and load time, the time of one question (model alone, and through the query
path with its batcher), a batch of 16, eight threads asking at once, and its resident memory.

Run by hand on an otherwise idle machine:  .venv/bin/python bench/embeddings.py [--questions 200]
Prints a Markdown table and writes bench/results/embeddings-<date>.json. Never part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMBINATIONS = [("torch", 1), ("torch", 2), ("onnx", 1), ("onnx", 2), ("onnx-int8", 1), ("onnx-int8", 2)]
CONCURRENT_THREADS = 8


def memory_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {"rss_mb": int(fields["VmRSS"].split()[0]) / 1024, "peak_rss_mb": int(fields["VmHWM"].split()[0]) / 1024}


def timed(call: Any, repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


def concurrently(embed: Any, questions: list[str], label: str) -> dict[str, float]:
    """Eight threads asking distinct questions back to back, as the server's pool does under load."""
    pending = [f"{q} ({label})" for q in questions]
    latencies: list[float] = []
    lock = threading.Lock()

    def ask() -> None:
        while True:
            with lock:
                if not pending:
                    return
                text = pending.pop()
            latencies.append(timed(lambda text=text: embed(text)))

    pool = [threading.Thread(target=ask) for _ in range(CONCURRENT_THREADS)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {
        "qps": len(questions) / (time.perf_counter() - started),
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 95),
    }


def worker(backend: str, threads: int, cache_dir: Path, questions: list[str]) -> dict[str, Any]:
    """Everything measured inside one fresh process for one backend and thread count."""
    started = time.perf_counter()
    from knowledge.embeddings import load_embeddings

    imported = time.perf_counter()
    embedder: Any = load_embeddings(cache_dir=cache_dir, threads=threads, backend=backend)
    loaded = time.perf_counter()
    after_load = memory_mb()
    # The model alone on one text (no cache, no batcher): the floor of every question. The query
    # path the app uses is timed in turn with it on the same text, so other work on the machine
    # weighs on both alike (the model call above does not fill the query cache).
    model_call = embedder._encode if backend != "torch" else lambda texts: embedder._model.embed_query(texts[0])
    for q in questions[:10]:
        model_call([q])
    model_ms, query_ms = [], []
    cpu_started = time.process_time()
    for q in questions:
        model_ms.append(timed(lambda q=q: model_call([q])))
        query_ms.append(timed(lambda q=q: embedder.embed_query(q)))
    # CPU time of the whole process (runtime threads included) suffers less than wall time from
    # other work on the machine; it also shows a thread pool that spins while it waits.
    cpu_ms = (time.process_time() - cpu_started) / (2 * len(questions)) * 1000
    batch16_ms = statistics.median(
        timed(lambda i=i: embedder.embed_many(questions[i : i + 16])) for i in range(0, 160, 16)
    )
    # Many threads at once: each calling the model itself, then through the query path (batched).
    concurrent = {"model alone": concurrently(lambda q: model_call([q]), questions, "model")}
    batcher: Any = getattr(embedder, "batcher", None)
    if batcher is None:
        concurrent["query path"] = concurrently(embedder.embed_query, questions, "query path, concurrent")
    for wait in (0.0, 0.001) if batcher is not None else ():
        batcher.max_wait = wait
        calls, label = batcher.calls, f"query path, batch wait {wait * 1000:g} ms"
        concurrent[label] = {
            **concurrently(embedder.embed_query, questions, label),
            "texts_per_call": len(questions) / (batcher.calls - calls),
        }
    embedder.close()
    return {
        "backend": backend,
        "threads": threads,
        "import_s": imported - started,
        "load_s": loaded - imported,
        "model_p50_ms": statistics.median(model_ms),
        "model_p95_ms": percentile(model_ms, 95),
        "cpu_ms": cpu_ms,
        "query_p50_ms": statistics.median(query_ms),
        "query_p95_ms": percentile(query_ms, 95),
        "batch16_ms": batch16_ms,
        "concurrent": concurrent,
        "rss_after_load_mb": after_load["rss_mb"],
        **memory_mb(),
        "torch_imported": "torch" in sys.modules,
    }


def run_worker(backend: str, threads: int, cache_dir: Path, questions: list[str]) -> dict[str, Any]:
    """Measure one combination in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, __file__, "--worker", backend, str(threads), str(cache_dir)],
        input=json.dumps(questions),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    row: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return row


def only_onnx_rss(cache_dir: Path) -> float:
    """Resident memory of a fresh process that imports and loads only the ONNX embedder."""
    script = (
        "from pathlib import Path; import sys; from knowledge.embeddings import load_embeddings; "
        "e = load_embeddings(cache_dir=Path(sys.argv[1])); e.embed_query('hello'); "
        "print(open('/proc/self/status').read())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return next(int(line.split()[1]) for line in out.splitlines() if line.startswith("VmRSS:")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--cache-dir", type=Path, default=None, help="where the ONNX files are (default: a temp dir)")
    parser.add_argument("--worker", nargs=3, metavar=("BACKEND", "THREADS", "CACHE_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        backend, threads, cache_dir = args.worker
        print(json.dumps(worker(backend, int(threads), Path(cache_dir), json.loads(sys.stdin.read()))))
        return

    from bench.common import base_questions, distinct
    from knowledge.embeddings import prepare_embeddings

    questions = distinct(base_questions(), max(args.questions, 170), "e")
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = args.cache_dir or Path(tmp)
        conversion = {}
        for backend in ("onnx", "onnx-int8"):  # int8 is quantised from the fp32 file, timed apart
            conversion[backend] = timed(lambda b=backend: prepare_embeddings(cache_dir=cache_dir, backend=b)) / 1000
        load_before = os.getloadavg()[0]
        rows = [run_worker(backend, threads, cache_dir, questions) for backend, threads in COMBINATIONS]
        onnx_rss = only_onnx_rss(cache_dir)
    results = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": [load_before, os.getloadavg()[0]],
        "convert_s": conversion,
        "only_onnx_rss_mb": onnx_rss,
        "rows": rows,
    }
    out = ROOT / "bench/results"
    out.mkdir(exist_ok=True)
    (out / f"embeddings-{results['date']}.json").write_text(json.dumps(results, indent=2))
    print(
        f"\nMachine: {results['machine']}; {len(questions)} questions; load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work skews the figures)\n"
    )
    print(
        "| backend | threads | model alone p50 / p95 ms | query path p50 / p95 ms | CPU ms per query "
        "| batch of 16 ms | import + load s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['backend']} | {r['threads']} | {r['model_p50_ms']:.2f} / {r['model_p95_ms']:.2f} "
            f"| {r['query_p50_ms']:.2f} / {r['query_p95_ms']:.2f} | {r['cpu_ms']:.2f} | {r['batch16_ms']:.1f} "
            f"| {r['import_s']:.1f} + {r['load_s']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    print(f"\n{CONCURRENT_THREADS} threads asking at once (q/s, p50 / p95 ms; texts per model call):\n")
    print("| backend | threads | mode | q/s | p50 / p95 ms | texts per call |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        for mode, c in r["concurrent"].items():
            per_call = f"{c['texts_per_call']:.1f}" if "texts_per_call" in c else "–"
            print(
                f"| {r['backend']} | {r['threads']} | {mode} | {c['qps']:.0f} "
                f"| {c['p50_ms']:.1f} / {c['p95_ms']:.1f} | {per_call} |"
            )
    print(
        f"\nConversion: fp32 {conversion['onnx']:.1f} s, int8 {conversion['onnx-int8']:.1f} s; "
        f"a fresh process with only the ONNX embedder loaded: {onnx_rss:.0f} MB resident."
    )


if __name__ == "__main__":
    main()
