"""Load benchmark (issue #7 §8): N concurrent clients for a fixed time, mixing questions and full
request flows over HTTP against `privacy-bot serve --workers 2`.

Run by hand on an otherwise idle machine:
    .venv/bin/python bench/load.py                       # SQLite (the embedded default)
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
Reports throughput, p50/p95/p99 per kind of turn, errors and server memory; writes
bench/results/load-<db>-<date>.json. Every loop is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import cpu_seconds, free_port, percentile, rss_mb, wait_ready  # noqa: E402
from bot.access.identity import sign_identity  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

SECRET = "bench-identity-secret"
FLOWS = [
    ("please delete my data", [("action", "everything")]),
    ("stop sending me marketing emails", [("action", "email")]),
    ("I want to withdraw my consent", [("action", "analytics_cookies")]),
    ("I want to talk to a person", [("text", "A question about our account administrator.")]),
]


class Recorder:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.in_time = 0  # turns completed before the deadline: the throughput numerator
        self.errors: list[str] = []

    async def post(self, client: httpx.AsyncClient, kind: str, body: dict) -> dict:
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json=body)
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}")
            raise
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        self.in_time += time.monotonic() <= self.deadline
        if response.status_code != 200:
            self.errors.append(f"{kind}: HTTP {response.status_code}")
            raise RuntimeError(response.text)
        return response.json()


async def question(client: httpx.AsyncClient, rec: Recorder, questions: list[str]) -> None:
    # A distinct string every time, so the server's embedding cache never flatters the figures.
    await rec.post(client, "question", {"message": f"{random.choice(questions)} #{random.randrange(10**9)}"})


async def flow(client: httpx.AsyncClient, rec: Recorder, n: int, inbox, with_code: bool) -> None:
    opening, fields = random.choice(FLOWS)
    email = f"load{n}-{random.randrange(10**9)}@example.com"
    identity = None if with_code else {"email": email, "name": "Load Tester", "signature": sign_identity(email, SECRET)}
    body = await rec.post(client, "flow", {"message": opening, "identity": identity})
    sid = body["session_id"]

    async def say(kind: str, message: str = "", action: str | None = None) -> dict:
        return await rec.post(
            client, kind, {"session_id": sid, "message": message, "action": action, "identity": identity}
        )

    for how, value in fields:
        body = await say("flow", action=value) if how == "action" else await say("flow", value)
    if with_code:
        await say("flow", "Load Tester")
    await say("flow", "skip")
    if with_code:
        await say("verify", email)
        try:
            code = await asyncio.to_thread(inbox.code_for, email, timeout=30)
        except AssertionError:
            rec.errors.append("verify: no code e-mail within 30 s")
            raise
        await say("verify", code)
    body = await say("file", "yes")
    if not body.get("ticket"):
        rec.errors.append("file: no ticket")


async def client_loop(i: int, base: str, rec: Recorder, questions: list[str], inbox) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        n = 0
        while time.monotonic() < rec.deadline:
            n += 1
            try:
                if random.random() < 0.7:
                    await question(client, rec, questions)
                else:
                    # E-mail-code flows need the SMTP inbox, which lives in the first process only.
                    await flow(
                        client, rec, i * 100000 + n, inbox, with_code=inbox is not None and random.random() < 0.5
                    )
            except (httpx.HTTPError, RuntimeError, AssertionError):
                continue


def run_clients(base: str, first: int, count: int, deadline: float, questions: list[str], inbox=None) -> tuple:
    """One load-generator process: `count` clients until `deadline`; returns its measurements."""
    random.seed(first)
    rec = Recorder(deadline)
    cpu = time.process_time()

    async def run_all() -> None:
        await asyncio.gather(*(client_loop(first + i, base, rec, questions, inbox) for i in range(count)))

    asyncio.run(run_all())
    return dict(rec.latencies), rec.in_time, rec.errors, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes (default 2)")
    args = parser.parse_args()
    items = yaml.safe_load((ROOT / "knowledge/eval/retrieval_eval.yaml").read_text(encoding="utf-8"))
    questions = [i["question"] for i in items]
    smtp = SmtpServer().start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/load.db",
            "CHROMA_PATH": f"{tmp}/chroma",
            "CACHE_DIR": str(ROOT / "data/cache"),
            "SMTP_URL": smtp.url,
            "WIDGET_IDENTITY_SECRET": SECRET,
            "RATE_LIMIT": "1000000/minute",
            "CODE_SEND_LIMIT": "1000000/minute",
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/privacy-bot"), "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base)
            # The generator runs in several processes: one Python process cannot drive 16
            # clients without becoming the bottleneck on this 2-core machine.
            per = [args.clients // args.processes + (k < args.clients % args.processes) for k in range(args.processes)]
            server_cpu = cpu_seconds(server.pid)
            started = time.monotonic()
            deadline = started + args.seconds
            with ProcessPoolExecutor(args.processes - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
                others = [
                    pool.submit(run_clients, base, sum(per[:k]), per[k], deadline, questions)
                    for k in range(1, args.processes)
                ]
                mine = run_clients(base, 0, per[0], deadline, questions, smtp.inbox)
                parts = [mine] + [f.result() for f in others]
            elapsed = time.monotonic() - started
            server_cpu = cpu_seconds(server.pid) - server_cpu
            memory = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
            smtp.stop()
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    for part_latencies, _, part_errors, _ in parts:
        for kind, values in part_latencies.items():
            latencies[kind] += values
        errors += part_errors
    turns = sum(len(v) for v in latencies.values())
    in_time = sum(p[1] for p in parts)
    client_cpu = sum(p[3] for p in parts)
    database = "postgresql" if args.database_url else "sqlite"
    result = {
        "date": date.today().isoformat(),
        "database": database,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "turns": turns,
        "turns_per_second": round(in_time / args.seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "rss_mb": round(memory),
        "server_cpu_ms_per_turn": round(server_cpu / turns * 1000, 1) if turns else None,
        "client_cpu_share": round(client_cpu / elapsed, 2),
        "kinds": {
            kind: {
                "count": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
                "p99_ms": round(percentile(v, 99), 1),
            }
            for kind, v in sorted(latencies.items())
        },
    }
    out = ROOT / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"load-{database}-{result['date']}.json").write_text(json.dumps(result, indent=2))
    print(
        f"\n{args.clients} clients in {args.processes} processes, {args.seconds:.0f} s "
        f"(+{elapsed - args.seconds:.0f} s to finish open flows), {args.workers} workers, {database}: {turns} turns, "
        f"{result['turns_per_second']} turns/s, {len(errors)} errors, server RSS {memory:.0f} MB; "
        f"server CPU {result['server_cpu_ms_per_turn']} ms per turn, load generator used "
        f"{result['client_cpu_share']:.0%} of a core\n"
    )
    print("| kind of turn | count | p50 | p95 | p99 |\n|---|---|---|---|---|")
    for kind, stats in result["kinds"].items():
        print(f"| {kind} | {stats['count']} | {stats['p50_ms']} ms | {stats['p95_ms']} ms | {stats['p99_ms']} ms |")
    if errors:
        print("\nerrors (first 10):", *errors[:10], sep="\n  ")


if __name__ == "__main__":
    main()
