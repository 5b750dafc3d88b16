"""A/B latency: another checkout (e.g. main before a change) and this one, served side by side.

Both servers run at once and every distinct question goes to both, in random order, so whatever
else loads the machine hits them alike; the p50 ratio is what a change costs. Run by hand:

    git worktree add /tmp/base <commit>   # or: git archive <commit> | tar -x -C /tmp/base
    .venv/bin/python bench/compare.py /tmp/base [--questions 300]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import percentile, rss_by_process, wait_ready  # noqa: E402


def serve(root: Path, port: int, data: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "DATABASE_URL": f"sqlite:///{data}/db.sqlite",
        "CHROMA_PATH": f"{data}/chroma",
        "CACHE_DIR": str(root / "data/cache"),
        "RATE_LIMIT": "100000/minute",
        "LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-c", "import sys, app; sys.exit(app.main())", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", type=Path, help="the other checkout (its own code, same venv)")
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    items = yaml.safe_load((ROOT / "knowledge/eval/tuning_answers.yaml").read_text(encoding="utf-8"))
    questions = [str(i["question"]) for i in items]
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        for name, root, port, data in (("base", args.base, 8711, a), ("this", ROOT, 8712, b)):
            t0 = time.perf_counter()
            servers[name] = (serve(root.resolve(), port, data), f"http://127.0.0.1:{port}")
            wait_ready(servers[name][1])
            print(f"{name}: ready in {time.perf_counter() - t0:.1f} s")
        latencies: dict[str, list[float]] = {name: [] for name in servers}
        clients = {name: httpx.Client(base_url=url, timeout=30) for name, (_, url) in servers.items()}
        for client in clients.values():
            for q in questions[:10]:
                client.post("/api/chat", json={"message": f"{q} (warm-up)"})
        for i in range(args.questions):
            question = f"{questions[i % len(questions)]} ({i})"  # distinct: no cache flatters either side
            for name, client in random.sample(list(clients.items()), k=len(clients)):
                t0 = time.perf_counter()
                assert client.post("/api/chat", json={"message": question}).status_code == 200
                latencies[name].append((time.perf_counter() - t0) * 1000)
        for name, (process, _) in servers.items():
            p50, p95 = percentile(latencies[name], 50), percentile(latencies[name], 95)
            print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {sum(rss_by_process(process.pid)):.0f} MB")
            process.terminate()
            process.wait(30)
        ratio = percentile(latencies["this"], 50) / percentile(latencies["base"], 50)
        print(f"p50 this / base: {ratio:.2f}")


if __name__ == "__main__":
    main()
