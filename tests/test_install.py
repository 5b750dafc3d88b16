"""The lower bounds in pyproject.toml are true: the lowest allowed versions install and run the app.

A throwaway venv gets the package (built from a copy of this checkout, so the package data is
checked too) with every direct dependency at its lowest allowed version (uv's
`--resolution lowest-direct`), except torch: that stays the CPU build this machine already has
(a resolver left alone would pull a multi-GB CUDA build). Then the installed command runs:
`--help`, `migrate`, and `serve` answering a question, /metrics and a 413 over real HTTP.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("pyproject.toml", "README.md", "app.py", "bot", "knowledge", "handlers", "migrations")
pytestmark = pytest.mark.slow


def _torch_pin() -> str:
    """`torch==<the CPU build installed here>`, or skip: only that build may ever be installed."""
    installed = version("torch")
    if "+cpu" not in installed:
        pytest.skip(f"torch {installed} is not a CPU build; refusing to let a resolver pick one")
    return f"torch=={installed}"


def _wheel_dirs(torch_pin: str) -> list[str]:
    """pip's find-links on this machine that hold that torch wheel (uv does not read pip's config)."""
    config = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout
    links = [*re.findall(r"find-links='([^']*)'", config), *os.environ.get("PIP_FIND_LINKS", "").split()]
    wheel = f"torch-{torch_pin.split('==')[1]}-*.whl"
    found = [d for d in dict.fromkeys(links) if d and list(Path(d.removeprefix("file://")).glob(wheel))]
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"no {wheel} in pip's find-links {links}: the lowest-versions check cannot run")
        pytest.skip(f"no {wheel} in pip's find-links here")
    return found


def _lower_bounds() -> list[tuple[str, str]]:
    """(name, lowest allowed version) of each direct dependency with a lower bound, torch aside."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = []
    for requirement in project["dependencies"]:
        name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower()
        low = re.search(r">=\s*([\w.]+)|==\s*([\w.]+)", requirement)
        if name != "torch" and low is not None:
            bounds.append((name, low.group(1) or low.group(2)))
    return bounds


def _lowest_constraints() -> list[str]:
    """Each lower bound, allowing only patch releases above it (the lowest may lack a wheel here)."""
    lines = []
    for name, low in _lower_bounds():
        major, _, rest = low.partition(".")
        minor = rest.split(".")[0] if rest else ""
        ceiling = f"{major}.{int(minor) + 1}" if minor.isdigit() else str(int(major) + 1)
        lines.append(f"{name}>={low},<{ceiling}")
    return lines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _ready(base: str) -> bool:
    try:
        return _http("GET", f"{base}/healthz")[0] == 200
    except OSError:  # not listening yet
        return False


@pytest.fixture(scope="module")
def lowest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A venv with the lowest allowed direct dependencies and this package (not editable)."""
    torch_pin = _torch_pin()
    base = tmp_path_factory.mktemp("lowest")
    source = base / "src"
    source.mkdir()
    for name in PROJECT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, source / name)
    (base / "overrides.txt").write_text(torch_pin + "\n", encoding="utf-8")
    # lowest-direct alone lets a fresh release of a transitive dependency lift a direct one above
    # its bound (kubernetes 37, via chromadb, lifted pydantic); held to the bound's minor release,
    # the install shows whether the lowest versions really resolve together.
    (base / "lowest.txt").write_text("\n".join(_lowest_constraints()) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(UV_NO_PROGRESS="1", UV_PYTHON_DOWNLOADS="never")
    uv = [sys.executable, "-m", "uv"]
    venv = base / "venv"
    python = sys.executable  # uv makes the new venv from the same base interpreter
    subprocess.run([*uv, "venv", "--quiet", "--python", python, str(venv)], env=env, check=True, timeout=120)
    find_links = [arg for d in _wheel_dirs(torch_pin) for arg in ("--find-links", d)]
    install = subprocess.run(
        [
            *uv,
            "pip",
            "install",
            "--python",
            str(venv / "bin" / "python"),
            "--resolution",
            "lowest-direct",
            "--override",
            str(base / "overrides.txt"),
            "--constraint",
            str(base / "lowest.txt"),
            *find_links,
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    frozen = subprocess.run(
        [*uv, "pip", "freeze", "--python", str(venv / "bin" / "python")], env=env, capture_output=True, text=True
    ).stdout
    work = base / "run"
    work.mkdir()
    env.update(
        HF_HUB_OFFLINE="1",
        DATABASE_URL=f"sqlite:///{work}/helpdesk.db",
        CHROMA_PATH=str(work / "chroma"),
        CACHE_DIR=str(work / "cache"),
        LOG_FORMAT="json",
    )
    for name in list(env):
        if name.startswith(("SLACK_", "SMTP_", "LLM_", "REDIS_", "OTEL_")):
            del env[name]
    return {"bin": venv / "bin", "env": env, "cwd": work, "frozen": frozen}


def test_the_lowest_versions_are_the_ones_installed(lowest: dict[str, Any]) -> None:
    frozen = {line.split("==")[0].lower().replace("_", "-"): line for line in lowest["frozen"].splitlines()}
    for name, low in _lower_bounds():
        assert name in frozen, f"{name} is not installed"
        # uv may have to go a patch release up when the lowest one has no wheel for this Python.
        assert frozen[name].split("==")[1].startswith(".".join(low.split(".")[:2])), (frozen[name], low)
    assert frozen["torch"].endswith("+cpu")


def test_the_command_runs_and_migrates(lowest: dict[str, Any]) -> None:
    bot = str(lowest["bin"] / "privacy-bot")
    run = {"env": lowest["env"], "cwd": lowest["cwd"], "capture_output": True, "text": True, "timeout": 120}
    helped = subprocess.run([bot, "--help"], check=False, **run)
    assert helped.returncode == 0 and "migrate" in helped.stdout, helped.stderr
    migrated = subprocess.run([bot, "migrate"], check=False, **run)
    assert migrated.returncode == 0 and "up to date" in migrated.stdout, migrated.stderr
    shipped = subprocess.run(
        [
            str(lowest["bin"] / "python"),
            "-c",
            "from knowledge.evaluation import RETRIEVAL_SETS, SUITES, ANSWER_SETS, FOLLOWUP_SETS; "
            "suites = [p for paths in SUITES.values() for p in paths.values()]; "
            "print(all(p.is_file() for p in (*RETRIEVAL_SETS, *suites, *ANSWER_SETS, *FOLLOWUP_SETS)))",
        ],
        check=False,
        **run,
    )
    assert shipped.stdout.strip() == "True", shipped.stderr  # the evaluation sets are package data


def test_the_server_answers_a_question(lowest: dict[str, Any]) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (lowest["cwd"] / "serve.log").open("w")
    server = subprocess.Popen(
        [str(lowest["bin"] / "privacy-bot"), "serve", "--port", str(port)],
        env=lowest["env"],
        cwd=lowest["cwd"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Model conversion, a fresh ingest and training the classifier and the answer decision, on two
        # cores that may be busy with the rest of the suite.
        deadline = time.monotonic() + 300
        while server.poll() is None and time.monotonic() < deadline and _ready(base) is False:
            time.sleep(0.5)
        assert server.poll() is None, (lowest["cwd"] / "serve.log").read_text()[-3000:]
        assert _ready(base), "the server did not get ready in time"
        status, body = _http(
            "POST", f"{base}/api/chat", json.dumps({"message": "How long do you keep my data?"}).encode()
        )
        assert status == 200, body
        reply = json.loads(body)
        assert reply["intent"] == "question" and reply["citations"][0]["section"] == "4"
        status, metrics = _http("GET", f"{base}/metrics")
        assert status == 200 and b'helpdesk_chat_turns_total{channel="web",intent="question"} 1.0' in metrics
        status, body = _http("POST", f"{base}/api/chat", b'{"message": "' + b"x" * 300_000 + b'"}')
        assert status == 413 and json.loads(body)["error"]["code"] == "payload_too_large"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    output = (lowest["cwd"] / "serve.log").read_text()
    assert "Traceback" not in output, output[-3000:]
