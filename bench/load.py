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
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import free_port, percentile, rss_mb  # noqa: E402
from bot.identity import sign_identity  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

SECRET = "bench-identity-secret"
FLOWS = [
    ("please delete my data", [("action", "everything")]),
    ("stop sending me marketing emails", [("action", "email")]),
    ("I want to withdraw my consent", [("action", "analytics_cookies")]),
    ("I want to talk to a person", [("text", "A question about our account administrator.")]),
]


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    async def post(self, client: httpx.AsyncClient, kind: str, body: dict) -> dict:
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json=body)
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}")
            raise
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            self.errors.append(f"{kind}: HTTP {response.status_code}")
            raise RuntimeError(response.text)
        return response.json()


async def question(client: httpx.AsyncClient, rec: Recorder, questions: list[str]) -> None:
    await rec.post(client, "question", {"message": random.choice(questions)})


async def flow(client: httpx.AsyncClient, rec: Recorder, n: int, inbox, with_code: bool) -> None:
    opening, fields = random.choice(FLOWS)
    email = f"load{n}-{random.randrange(10**9)}@example.com"
    identity = None if with_code else {"email": email, "name": "Load Tester", "signature": sign_identity(email, SECRET)}
    body = await rec.post(client, "flow", {"message": opening, "identity": identity})
    sid = body["session_id"]

    async def say(kind: str, message: str = "", action: str | None = None) -> dict:
        return await rec.post(client, kind, {"session_id": sid, "message": message, "action": action, "identity": identity})

    for how, value in fields:
        body = await say("flow", action=value) if how == "action" else await say("flow", value)
    if with_code:
        await say("flow", "Load Tester")
    await say("flow", "skip")
    if with_code:
        await say("verify", email)
        code = await asyncio.to_thread(inbox.code_for, email, timeout=30)
        await say("verify", code)
    body = await say("file", "yes")
    if not body.get("ticket"):
        rec.errors.append("file: no ticket")


async def client_loop(i: int, base: str, deadline: float, rec: Recorder, questions: list[str], inbox) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            try:
                if random.random() < 0.7:
                    await question(client, rec, questions)
                else:
                    await flow(client, rec, i * 100000 + n, inbox, with_code=random.random() < 0.3)
            except (httpx.HTTPError, RuntimeError, AssertionError):
                continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    random.seed(7)
    items = yaml.safe_load((ROOT / "tests/data/retrieval_eval.yaml").read_text(encoding="utf-8"))
    questions = [i["question"] for i in items]
    smtp = SmtpServer().start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/load.db",
               "CHROMA_PATH": f"{tmp}/chroma", "CACHE_DIR": str(ROOT / "data/cache"), "SMTP_URL": smtp.url,
               "WIDGET_IDENTITY_SECRET": SECRET, "RATE_LIMIT": "1000000/minute", "CODE_SEND_LIMIT": "1000000/minute",
               "LOG_LEVEL": "WARNING"}
        server = subprocess.Popen([str(ROOT / ".venv/bin/privacy-bot"), "serve", "--port", str(port),
                                   "--workers", str(args.workers)], env=env, cwd=tmp,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(1800):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            rec = Recorder()
            started = time.monotonic()
            deadline = started + args.seconds

            async def run_all() -> None:
                await asyncio.gather(*(client_loop(i, base, deadline, rec, questions, smtp.inbox) for i in range(args.clients)))

            asyncio.run(run_all())
            elapsed = time.monotonic() - started
            memory = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
            smtp.stop()
    turns = sum(len(v) for v in rec.latencies.values())
    database = "postgresql" if args.database_url else "sqlite"
    result = {
        "date": date.today().isoformat(), "database": database, "clients": args.clients, "seconds": round(elapsed, 1),
        "workers": args.workers, "turns": turns, "turns_per_second": round(turns / elapsed, 1),
        "errors": len(rec.errors), "error_samples": rec.errors[:10], "rss_mb": round(memory),
        "kinds": {kind: {"count": len(v), "p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1),
                         "p99_ms": round(percentile(v, 99), 1)} for kind, v in sorted(rec.latencies.items())},
    }
    out = ROOT / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"load-{database}-{result['date']}.json").write_text(json.dumps(result, indent=2))
    print(f"\n{args.clients} clients, {elapsed:.0f} s, {args.workers} workers, {database}: {turns} turns, "
          f"{result['turns_per_second']} turns/s, {len(rec.errors)} errors, server RSS {memory:.0f} MB\n")
    print("| kind of turn | count | p50 | p95 | p99 |\n|---|---|---|---|---|")
    for kind, stats in result["kinds"].items():
        print(f"| {kind} | {stats['count']} | {stats['p50_ms']} ms | {stats['p95_ms']} ms | {stats['p99_ms']} ms |")
    if rec.errors:
        print("\nerrors (first 10):", *rec.errors[:10], sep="\n  ")


if __name__ == "__main__":
    main()
