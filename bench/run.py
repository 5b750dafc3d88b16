"""The whole benchmark in one run, side by side (issue 13): the floor, one client, 16 clients, start-up, memory.

1. the embedding model's own time per question (the floor: tokenise + one ONNX call, no cache);
2. start to ready (/healthz 200) with a fresh index and with the index present; RSS per process;
3. one client over HTTP, distinct questions: p50 / p95, and p50 ÷ floor;
4. 16 clients for --seconds against one `privacy-bot serve` on SQLite: questions only, then mixed
   with request flows; then mixed with `--workers 2`, on SQLite and on PostgreSQL.

Run by hand on an otherwise idle machine (never in the tests):
    .venv/bin/python bench/run.py [--seconds 60] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
Prints a Markdown table for the README and writes bench/results/run-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Server, base_questions, distinct, percentile, rss_by_process, scratch  # noqa: E402
from bench.load import load_run  # noqa: E402


def floor(cache: Path, n: int, backend: str) -> dict[str, float]:
    """The model alone: tokenise and run one question, as the server does for an uncached text."""
    from knowledge.embeddings import load_embeddings

    embedder: Any = load_embeddings(cache_dir=cache, backend=backend)
    timings = []
    try:
        for text in distinct(base_questions(), n, "floor"):
            started = time.perf_counter()
            embedder.embed_many([text])  # no query cache, no batcher: the model's own cost
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        embedder.close()
    return {"floor_p50_ms": percentile(timings, 50), "floor_p95_ms": percentile(timings, 95)}


def start_and_one_client(cache: Path, n: int) -> dict[str, Any]:
    """Start with a fresh index, restart with it present, then one client asks n distinct questions."""
    result: dict[str, Any] = {}
    # A first start with a new cache also trains the answer decision (once, then cached by content
    # hash); a warm-up start does that, so "fresh index" means a new index with the caches present.
    with scratch() as data:
        (data / "cache").symlink_to(cache)
        warm_up = Server(data)
        warm_up.start()
        warm_up.stop()
    with scratch() as data:
        (data / "cache").symlink_to(cache)
        server = Server(data)
        result["ready_fresh_s"] = server.start()
        server.stop()
        result["ready_present_s"] = server.start()
        try:
            assert server.process is not None
            result["rss_after_start_mb"] = [round(m) for m in rss_by_process(server.process.pid)]
            latencies = []
            with httpx.Client(base_url=server.base, timeout=10) as client:
                for text in distinct(base_questions(), 10, "warm"):
                    client.post("/api/chat", json={"message": text})
                for text in distinct(base_questions(), n, "http"):
                    started = time.perf_counter()
                    response = client.post("/api/chat", json={"message": text})
                    latencies.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
            result["http_p50_ms"] = percentile(latencies, 50)
            result["http_p95_ms"] = percentile(latencies, 95)
            result["rss_after_questions_mb"] = [round(m) for m in rss_by_process(server.process.pid)]
        finally:
            server.stop()
    return result


def table(r: dict[str, Any]) -> str:
    rows = [
        (
            "the model alone per question, p50 / p95 (the floor)",
            f"{r['floor_p50_ms']:.1f} / {r['floor_p95_ms']:.1f} ms",
        ),
        ("one client over HTTP, p50 / p95", f"{r['http_p50_ms']:.1f} / {r['http_p95_ms']:.1f} ms"),
        ("one client: p50 ÷ floor p50", f"{r['http_p50_ms'] / r['floor_p50_ms']:.2f}"),
        ("start to ready, index present / fresh index", f"{r['ready_present_s']:.1f} / {r['ready_fresh_s']:.1f} s"),
        ("resident memory, one serving process (after 200 questions)", f"{r['rss_after_questions_mb'][0]} MB"),
    ]
    for label, load in r["loads"].items():
        kinds = load["kinds"]
        q = kinds.get("question", {})
        rows.append(
            (
                f"{label}: turns/s, errors, question p50 / p95",
                f"{load['turns_per_second']} /s, {load['errors']}, {q.get('p50_ms')} / {q.get('p95_ms')} ms",
            )
        )
        rows.append(
            (
                f"{label}: RSS per process, server CPU per turn",
                f"{' + '.join(str(m) for m in load['rss_mb'])} MB, {load['server_cpu_ms_per_turn']} ms",
            )
        )
    return "| measure | result |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="each load run (default 60)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--questions", type=int, default=200, help="for the floor and the one-client run")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL URL (optional)")
    parser.add_argument("--backend", default="onnx", help="EMBEDDING_BACKEND for every server (default onnx)")
    args = parser.parse_args()
    os.environ["EMBEDDING_BACKEND"] = args.backend
    cache = ROOT / "data/cache"  # the converted model and trained weights, shared by every run
    cache.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "backend": args.backend,
        **floor(cache, args.questions, args.backend),
        **start_and_one_client(cache, args.questions),
        "loads": {},
    }
    runs = [
        ("16 clients, questions only, 1 process, SQLite", 1, None, False),
        ("16 clients, mixed, 1 process, SQLite", 1, None, True),
        ("16 clients, mixed, --workers 2, SQLite", 2, None, True),
    ]
    if args.postgres:
        runs += [
            ("16 clients, questions only, --workers 2, PostgreSQL", 2, args.postgres, False),
            ("16 clients, mixed, --workers 2, PostgreSQL", 2, args.postgres, True),
        ]
    for label, workers, database_url, mixed in runs:
        print(f"… {label}", file=sys.stderr, flush=True)
        results["loads"][label] = load_run(
            workers=workers,
            database_url=database_url,
            mixed=mixed,
            clients=args.clients,
            seconds=args.seconds,
            cache=cache,
        )
    out = ROOT / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"run-{results['date']}.json").write_text(json.dumps(results, indent=2))
    print(f"\nMachine: {results['machine']}; {results['date']}; backend {args.backend}\n")
    print(table(results))


if __name__ == "__main__":
    main()
