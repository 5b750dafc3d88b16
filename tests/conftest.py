"""Shared fixtures: one embedding model and one index per test run, fresh databases per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

# Before anything imports huggingface or chromadb: no test may reach the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # as the app does (app.quiet_progress_bars)

from tests.factories import FakeClock, RecordingSender

SCRUBBED_PREFIXES = (
    "SLACK_",
    "SMTP_",
    "LLM_",
    "OPENAI_",
    "ANTHROPIC_",
    "REDIS_",
    "DATABASE_URL",
    "CHROMA_",
    "WIDGET_",
    "SECRET_KEY",
    "RATE_LIMIT",
    "MAIL_FROM",
)
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(autouse=True)
def _no_outside_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches Slack, SMTP, an LLM or Redis because of the developer's environment."""
    for name in list(os.environ):
        if name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embeddings(shared_dirs: dict[str, Path]) -> Iterator[Any]:
    """The embedder the server uses (ONNX Runtime over the packaged model), converted once per cache."""
    from knowledge.embeddings import load_embeddings

    embedder = load_embeddings(cache_dir=shared_dirs["cache"])
    yield embedder
    embedder.close()


@pytest.fixture(scope="session")
def shared_dirs(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("shared")
    # The trained intent model is keyed by a content hash, so pytest's cache can keep it between runs.
    return {"chroma": base / "chroma", "cache": Path(pytestconfig.cache.mkdir("helpdesk-models"))}


@pytest.fixture(scope="session")
def knowledge(embeddings: Any, shared_dirs: dict[str, Path]) -> Any:
    """The real statement, ingested once into a session-wide local Chroma store."""
    from knowledge.service import KnowledgeBase

    kb = KnowledgeBase(embeddings=embeddings, chroma_path=str(shared_dirs["chroma"]), cache_dir=shared_dirs["cache"])
    kb.prepare(auto_ingest=True)
    return kb


@pytest.fixture(scope="session")
def understanding(embeddings: Any, knowledge: Any, shared_dirs: dict[str, Path]) -> Any:
    """(knowledge, classifier, answerer) built once: they hold no per-test state."""
    from app import build_understanding
    from bot.settings import Settings

    settings = Settings(_env_file=None, CHROMA_PATH=str(shared_dirs["chroma"]), CACHE_DIR=str(shared_dirs["cache"]))
    return build_understanding(settings, embeddings=embeddings, knowledge=knowledge)


def _postgres_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/helpdesk.db"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway schema in TEST_DATABASE_URL's database, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL tests run in CI)")
    from sqlalchemy import create_engine, text

    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A test CA and server certificates for TLS on loopback, made once per run."""
    from tests.smtp import CertificateAuthority

    return CertificateAuthority(tmp_path_factory.mktemp("certificates"))


@pytest.fixture
def smtp_server(certificates: Any) -> Iterator[Any]:
    """A real SMTP server on 127.0.0.1 for codes, receipts and notifications, offering STARTTLS with
    a certificate from the test CA: pass `**smtp_server.settings` (URL and CA) to the app."""
    from tests.smtp import SmtpServer

    server = SmtpServer(starttls=certificates.server_context(), ca_file=certificates.ca_file).start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def outbox() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def make_settings(tmp_path: Path, shared_dirs: dict[str, Path], sqlite_url: str) -> Callable[..., Any]:
    from bot.settings import Settings

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "DATABASE_URL": sqlite_url,
            "CHROMA_PATH": str(shared_dirs["chroma"]),
            "CACHE_DIR": str(shared_dirs["cache"]),
            "SECRET_KEY": "test-secret-key-0123456789",
            "RATE_LIMIT": "1000/minute",
            "OUTBOX_POLL_SECONDS": 0.2,
            # Tests run the casework scheduler by hand (`services.scheduler.run_once()`), against their clock.
            "SCHEDULER_ENABLED": False,
            "EXPORT_DIR": str(tmp_path / "exports"),
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def make_services(
    make_settings: Callable[..., Any], embeddings: Any, knowledge: Any, clock: FakeClock, outbox: RecordingSender
) -> Iterator[Callable[..., Any]]:
    """Build Services with the shared model and index; the clock and e-mail are the test's."""
    from app import build_services

    built: list[Any] = []

    def build(settings: Any = None, **parts: Any) -> Any:
        parts.setdefault("embeddings", embeddings)
        parts.setdefault("knowledge", knowledge)
        parts.setdefault("clock", clock)
        parts.setdefault("senders", {"email": outbox})
        services = build_services(settings or make_settings(), **parts)
        built.append(services)
        return services

    yield build
    for services in built:
        services.outbox.stop()
        services.db.dispose()
    knowledge.taught.load([], version=-1)  # what a test taught stays with its database


@pytest.fixture
def client(make_services: Callable[..., Any]) -> Iterator[Any]:
    """A TestClient over a fresh app (SQLite in tmp, shared index, fake clock, recorded e-mail)."""
    from fastapi.testclient import TestClient

    from app import create_app

    services = make_services()
    with TestClient(create_app(services.settings, services=services)) as test_client:
        test_client.services = services  # type: ignore[attr-defined]
        yield test_client


def pytest_report_header(config: pytest.Config) -> str:
    where = f"on ({POSTGRES_URL.split('@')[-1]})" if POSTGRES_URL else "off (set TEST_DATABASE_URL)"
    return f"PostgreSQL tests: {where}"
