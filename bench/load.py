"""Load: N concurrent clients for a fixed time over HTTP, questions only or mixed with request flows.

`drive()` is what `bench/run.py` calls; run alone for one configuration:
    .venv/bin/python bench/load.py [--workers 2] [--questions-only] [--database-url postgresql+psycopg://...]
Every question is a distinct string; every loop is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import random
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import base_questions, cpu_seconds, percentile, postgres_schema, rss_by_process, running, scratch  # noqa: E402
from bot.access.identity import sign_identity  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

SECRET = "bench-identity-secret-0123456789abcdef"
FLOWS = [
    ("please delete my data", [("action", "everything")]),
    ("stop sending me marketing emails", [("action", "email")]),
    ("I want to withdraw my consent", [("action", "analytics_cookies")]),
    ("I want to talk to a person", [("text", "A question about our account administrator.")]),
]
QUESTION_SHARE = 0.7  # of the mixed load; the rest are whole request flows


class Recorder:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.in_time = 0  # turns completed before the deadline: the throughput numerator
        self.errors: list[str] = []

    async def post(self, client: httpx.AsyncClient, kind: str, body: dict[str, Any]) -> dict[str, Any]:
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
        return dict(response.json())


async def question(client: httpx.AsyncClient, rec: Recorder, questions: list[str]) -> None:
    await rec.post(client, "question", {"message": f"{random.choice(questions)} #{random.randrange(10**9)}"})


async def flow(client: httpx.AsyncClient, rec: Recorder, n: int, inbox: Any, with_code: bool) -> None:
    opening, fields = random.choice(FLOWS)
    email = f"load{n}-{random.randrange(10**9)}@example.com"
    identity = None if with_code else {"email": email, "name": "Load Tester", "signature": sign_identity(email, SECRET)}
    body = await rec.post(client, "flow", {"message": opening, "identity": identity})
    sid = body["session_id"]

    async def say(kind: str, message: str = "", action: str | None = None) -> dict[str, Any]:
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


async def client_loop(i: int, base: str, rec: Recorder, questions: list[str], inbox: Any, mixed: bool) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        n = 0
        while time.monotonic() < rec.deadline:
            n += 1
            try:
                if not mixed or random.random() < QUESTION_SHARE:
                    await question(client, rec, questions)
                else:  # e-mail-code flows need the SMTP inbox, which lives in the first process only
                    with_code = inbox is not None and random.random() < 0.5
                    await flow(client, rec, i * 100000 + n, inbox, with_code=with_code)
            except (httpx.HTTPError, RuntimeError, AssertionError):
                continue


def run_clients(
    base: str, first: int, count: int, deadline: float, questions: list[str], mixed: bool, inbox: Any = None
) -> tuple[dict[str, list[float]], int, list[str], float]:
    """One load-generator process: `count` clients until `deadline`; its measurements."""
    random.seed(first)
    rec = Recorder(deadline)
    cpu = time.process_time()

    async def run_all() -> None:
        await asyncio.gather(*(client_loop(first + i, base, rec, questions, inbox, mixed) for i in range(count)))

    asyncio.run(run_all())
    return dict(rec.latencies), rec.in_time, rec.errors, time.process_time() - cpu


def drive(
    base: str, pid: int, *, clients: int, seconds: float, mixed: bool, processes: int = 2, inbox: Any = None
) -> dict[str, Any]:
    """Load a running server; throughput, latency by kind of turn, errors, its CPU and memory."""
    questions = base_questions()
    # Several generator processes: one Python process cannot drive 16 clients on 2 cores.
    per = [clients // processes + (k < clients % processes) for k in range(processes)]
    server_cpu = cpu_seconds(pid)
    started = time.monotonic()
    deadline = started + seconds
    with ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
        others = [
            pool.submit(run_clients, base, sum(per[:k]), per[k], deadline, questions, mixed)
            for k in range(1, processes)
        ]
        parts = [run_clients(base, 0, per[0], deadline, questions, mixed, inbox), *[f.result() for f in others]]
    elapsed = time.monotonic() - started
    server_cpu = cpu_seconds(pid) - server_cpu
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    for part_latencies, _, part_errors, _ in parts:
        for kind, values in part_latencies.items():
            latencies[kind] += values
        errors += part_errors
    turns = sum(len(v) for v in latencies.values())
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "turns": turns,
        "turns_per_second": round(sum(p[1] for p in parts) / seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "rss_mb": [round(m) for m in rss_by_process(pid)],
        "server_cpu_ms_per_turn": round(server_cpu / turns * 1000, 2) if turns else None,
        "generator_cpu_share": round(sum(p[3] for p in parts) / elapsed, 2),
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


WRK_SCRIPT = """
-- Distinct questions to POST /api/chat from every connection (written by bench/load.py).
local questions = {QUESTIONS}
local n = 0
local tag = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  local body = '{"message": "' .. questions[(n % #questions) + 1] .. ' #' .. tag .. '-' .. n .. '"}'
  return wrk.format("POST", "/api/chat", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write, e.timeout))
end
"""


def drive_wrk(base: str, pid: int, *, clients: int, seconds: float) -> dict[str, Any]:
    """Questions only, from wrk (C, a fraction of the Python generator's CPU): every body distinct."""
    import shutil
    import subprocess
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    quoted = ", ".join(json.dumps(q.replace("\\", " ").replace('"', "'")) for q in base_questions())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.replace("{QUESTIONS}", "{" + quoted + "}"))
    server_cpu = cpu_seconds(pid)
    started = time.monotonic()
    out = subprocess.run(
        [wrk, "-t", "2", "-c", str(clients), "-d", f"{seconds:.0f}s", "--timeout", "10s", "-s", script.name, base],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    elapsed = time.monotonic() - started
    server_cpu = cpu_seconds(pid) - server_cpu
    Path(script.name).unlink()
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, duration_us, p50, p95, p99, status, socket_errors, timeouts = map(int, fields)
    return {
        "generator": "wrk",
        "clients": clients,
        "seconds": round(elapsed, 1),
        "turns": requests,
        "turns_per_second": round(requests / (duration_us / 1e6), 1),
        "errors": status + socket_errors + timeouts,
        "error_samples": [f"non-2xx {status}, socket {socket_errors}, timeouts {timeouts}"],
        "rss_mb": [round(m) for m in rss_by_process(pid)],
        "server_cpu_ms_per_turn": round(server_cpu / requests * 1000, 2) if requests else None,
        "kinds": {
            "question": {
                "count": requests,
                "p50_ms": round(p50 / 1000, 1),
                "p95_ms": round(p95 / 1000, 1),
                "p99_ms": round(p99 / 1000, 1),
            }
        },
    }


def load_run(
    *,
    workers: int,
    database_url: str | None,
    mixed: bool,
    clients: int,
    seconds: float,
    cache: Path,
    generator: str = "python",
) -> dict[str, Any]:
    """One configuration from a fresh data folder (the model cache is shared): start, drive, stop."""
    smtp = SmtpServer().start()
    try:
        with contextlib.ExitStack() as stack:
            data = stack.enter_context(scratch())
            if database_url:  # a schema of its own, so runs never see each other's tickets
                database_url = stack.enter_context(postgres_schema(database_url))
            (data / "cache").symlink_to(cache)
            # A loopback relay without TLS: plaintext is allowed for it explicitly, as a local relay would be.
            env = {**smtp.settings, "SMTP_ALLOW_PLAINTEXT": "true", "WIDGET_IDENTITY_SECRET": SECRET}
            with running(data, workers=workers, database_url=database_url, env=env) as server:
                assert server.process is not None
                if generator == "wrk" and not mixed:
                    return drive_wrk(server.base, server.process.pid, clients=clients, seconds=seconds)
                return drive(
                    server.base, server.process.pid, clients=clients, seconds=seconds, mixed=mixed, inbox=smtp.inbox
                )
    finally:
        smtp.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--questions-only", action="store_true", help="no request flows")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--generator",
        choices=("python", "wrk"),
        default="python",
        help="load generator for --questions-only (wrk: Debian's wrk, far less CPU)",
    )
    args = parser.parse_args()
    cache = ROOT / "data/cache"
    cache.mkdir(parents=True, exist_ok=True)
    result = load_run(
        workers=args.workers,
        database_url=args.database_url,
        mixed=not args.questions_only,
        clients=args.clients,
        seconds=args.seconds,
        cache=cache,
        generator=args.generator,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
