"""Foundation benchmark (issue #2 §8): question latency in process and over HTTP, start-to-ready,
ingest time, resident memory, and the embedding model's own time per query as the floor.

Run by hand on an otherwise idle machine:  .venv/bin/python bench/latency.py [--questions 200]
Prints a Markdown table for the README and writes bench/results/latency-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["HF_HUB_OFFLINE"] = "1"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def questions(n: int) -> list[str]:
    items = yaml.safe_load((ROOT / "knowledge/eval/retrieval_eval.yaml").read_text(encoding="utf-8"))
    base = [i["question"] for i in items if i.get("sections")]
    # Distinct strings (suffixes) so the query cache never hides the model's cost.
    return [f"{base[i % len(base)]}" + ("" if i < len(base) else f" ({i})") for i in range(n)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    ]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn workers), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    ]
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            continue
    return total / ticks


def wait_ready(base: str, timeout: float = 180.0) -> None:
    """Poll /healthz until it answers 200 (bounded)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{base} did not become ready within {timeout:.0f} s")


def in_process(n: int, data: Path) -> dict[str, float]:
    from app import build_services
    from bot.settings import Settings
    from bot.types import Inbound

    t0 = time.perf_counter()
    from knowledge.embeddings import LocalEmbeddings

    embeddings = LocalEmbeddings()
    model_load = time.perf_counter() - t0

    from knowledge.service import KnowledgeBase

    kb = KnowledgeBase(embeddings=embeddings, chroma_path=str(data / "ingest-chroma"))
    t0 = time.perf_counter()
    kb.prepare(auto_ingest=True)
    ingest_s = time.perf_counter() - t0

    settings = Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{data}/inproc.db",
        CHROMA_PATH=str(data / "ingest-chroma"),
        CACHE_DIR=str(ROOT / "data/cache"),
        RATE_LIMIT="100000/minute",
    )
    services = build_services(settings, embeddings=embeddings, knowledge=kb)
    qs = questions(n)
    floor = []
    for q in qs:
        t0 = time.perf_counter()
        embeddings._model.embed_query(q + " floor")  # uncached: the model alone
        floor.append((time.perf_counter() - t0) * 1000)
    turns = []
    for q in qs:
        t0 = time.perf_counter()
        services.engine.handle(Inbound(channel="web", text=q))
        turns.append((time.perf_counter() - t0) * 1000)
    services.db.dispose()
    return {
        "model_load_s": model_load,
        "ingest_s": ingest_s,
        "embed_p50_ms": percentile(floor, 50),
        "embed_p95_ms": percentile(floor, 95),
        "inproc_p50_ms": percentile(turns, 50),
        "inproc_p95_ms": percentile(turns, 95),
    }


def over_http(n: int, data: Path) -> dict[str, float]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data}/http.db",
        "CHROMA_PATH": str(data / "http-chroma"),
        "CACHE_DIR": str(ROOT / "data/cache"),
        "RATE_LIMIT": "100000/minute",
        "LOG_LEVEL": "WARNING",
    }
    # Cold start (fresh index) then warm start (index present): both to /healthz 200.
    ready = {}
    for label in ("cold", "warm"):
        t0 = time.perf_counter()
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/privacy-bot"), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_ready(f"http://127.0.0.1:{port}")
        ready[label] = time.perf_counter() - t0
        if label == "cold":
            server.terminate()
            server.wait(30)
    latencies = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        for q in questions(n)[:10]:
            client.post("/api/chat", json={"message": q})  # warm-up
        for q in questions(n):
            t0 = time.perf_counter()
            response = client.post("/api/chat", json={"message": q + " (http)"})
            latencies.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text
    memory = rss_mb(server.pid)
    server.terminate()
    server.wait(30)
    return {
        "ready_cold_s": ready["cold"],
        "ready_warm_s": ready["warm"],
        "http_p50_ms": percentile(latencies, 50),
        "http_p95_ms": percentile(latencies, 95),
        "rss_mb": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=200, help="questions per measurement (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        results = {**in_process(args.questions, data), **over_http(args.questions, data)}
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    results["date"] = date.today().isoformat()
    out = ROOT / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"latency-{results['date']}.json").write_text(json.dumps(results, indent=2))
    print(f"\nMachine: {results['machine']}; date {results['date']}; {args.questions} questions, one client\n")
    print("| measure | result | target |\n|---|---|---|")
    r = results
    print(f"| question over HTTP, p50 / p95 | {r['http_p50_ms']:.1f} / {r['http_p95_ms']:.1f} ms | ≤ 30 / ≤ 60 ms |")
    print(
        f"| question in process (engine turn), p50 / p95 | {r['inproc_p50_ms']:.1f} / {r['inproc_p95_ms']:.1f} ms | |"
    )
    print(f"| embedding model alone per query, p50 / p95 | {r['embed_p50_ms']:.1f} / {r['embed_p95_ms']:.1f} ms | |")
    print(
        "| start to ready (/healthz 200), warm index / cold (ingest included) "
        f"| {r['ready_warm_s']:.1f} / {r['ready_cold_s']:.1f} s | ≤ 15 s |"
    )
    print(f"| ingest (embed + store, model loaded) | {results['ingest_s']:.1f} s | |")
    print(f"| model load | {results['model_load_s']:.1f} s | |")
    print(f"| server resident memory after the run | {results['rss_mb']:.0f} MB | ≤ 1.5 GB |")


if __name__ == "__main__":
    main()
