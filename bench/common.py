"""What every benchmark shares: distinct questions, a server started as a user starts it, and measurements."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv/bin"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def base_questions() -> list[str]:
    """Answerable questions of the tuning set (never the held-out set: it is evidence, not load)."""
    for candidate in (ROOT / "knowledge/eval/retrieval_eval.yaml",):
        if candidate.exists():
            items = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            return [i["question"] for i in items if i.get("sections")]
    raise FileNotFoundError("no tuning question set found")


def distinct(questions: list[str], n: int, tag: str) -> list[str]:
    """`n` different strings, so no cache in the server can flatter a figure."""
    return [f"{questions[i % len(questions)]} ({tag}{i})" for i in range(n)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]


def rss_by_process(pid: int) -> list[float]:
    """Resident memory of a process and each of its children (uvicorn workers), in MB."""
    sizes = []
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sizes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(FileNotFoundError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_ready(base: str, timeout: float = 180.0) -> float:
    """Poll /healthz until 200 (bounded); the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return time.perf_counter() - started
        time.sleep(0.02)
    raise RuntimeError(f"{base} did not become ready within {timeout:.0f} s")


@dataclass
class Server:
    """`privacy-bot serve` as a user runs it, in a data folder of its own."""

    data: Path
    workers: int = 1
    database_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait for /healthz 200; the seconds from launch to ready."""
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url or f"sqlite:///{self.data}/helpdesk.db",
            "CHROMA_PATH": str(self.data / "chroma"),
            "CACHE_DIR": str(self.data / "cache"),
            "RATE_LIMIT": "1000000/minute",
            "CODE_SEND_LIMIT": "1000000/minute",
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        launched = time.perf_counter()
        self.process = subprocess.Popen(
            [str(BIN / "privacy-bot"), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=env,
            cwd=self.data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_ready(self.base)
        return time.perf_counter() - launched

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)
            self.process = None


@contextlib.contextmanager
def running(data: Path, **options: object) -> Iterator[Server]:
    server = Server(data, **options)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A throwaway schema in the database at `url` (dropped afterwards), as a URL that uses it."""
    import secrets

    from sqlalchemy import create_engine, text

    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        yield Path(tmp)
