"""Contract fuzzing: schemathesis over the app's own OpenAPI schema, positive and negative data.
Whatever it sends, no operation answers with a 5xx."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.factories import FakeClock, RecordingSender


@pytest.fixture(scope="module")
def api_schema(
    embeddings: Any, knowledge: Any, shared_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Any:
    from datetime import datetime

    from app import build_services, create_app
    from bot.settings import Settings

    base = tmp_path_factory.mktemp("fuzz")
    app_settings = Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{base}/fuzz.db",
        CHROMA_PATH=str(shared_dirs["chroma"]),
        CACHE_DIR=str(shared_dirs["cache"]),
        RATE_LIMIT="100000/minute",
        LOGIN_RATE_LIMIT="100000/minute",
        SECRET_KEY="fuzz-secret-key-0123456789",
    )
    services = build_services(
        app_settings,
        embeddings=embeddings,
        knowledge=knowledge,
        clock=FakeClock(datetime(2026, 3, 10, tzinfo=UTC)),
        senders={"email": RecordingSender()},
    )
    app = create_app(app_settings, services=services)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    services.db.dispose()


def _operations(api_schema: Any) -> list[Any]:
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_no_operation_answers_with_a_server_error(api_schema: Any, mode: GenerationMode) -> None:
    operations = _operations(api_schema)
    assert any(op.path == "/api/chat" for op in operations)
    exercised = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        def call(case: Any) -> None:
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])

        try:
            call()
        except Unsatisfiable:
            # Negative data needs something to break: an operation without parameters or body has none.
            assert mode is GenerationMode.NEGATIVE
            continue
        exercised.append(operation.path)
    assert "/api/chat" in exercised
