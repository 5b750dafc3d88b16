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
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])
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


def test_the_image_installs_cpu_torch_first_and_runs_unprivileged() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.index("download.pytorch.org/whl/cpu") < dockerfile.index("pip install .")
    assert "USER helpdesk" in dockerfile
