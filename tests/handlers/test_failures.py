"""Failures that explain themselves: a JSON 413, settings refused by name, a wrong LLM_MODEL or
missing evaluation sets said in one line — never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app import MAX_BODY_BYTES, build_chat_model
from bot.errors import ConfigurationError
from bot.logs import configure_logging
from bot.settings import Settings, describe_error

BIN = Path(sys.executable).parent / "privacy-bot"


def test_an_oversized_body_gets_the_json_error_and_no_traceback(client: Any) -> None:
    stream = io.StringIO()
    configure_logging("INFO", fmt="json", stream=stream)
    try:
        big = json.dumps({"message": "x" * (MAX_BODY_BYTES + 10)}).encode()
        declared = client.post("/api/chat", content=big, headers={"content-type": "application/json"})

        def chunks() -> Any:  # no Content-Length: the cap applies as the body streams in
            for start in range(0, len(big), 64 * 1024):
                yield big[start : start + 64 * 1024]

        streamed = client.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    finally:
        configure_logging("WARNING", fmt="json")
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {
            "error": {"code": "payload_too_large", "message": "The request body is over the 256 KB limit."}
        }
        assert response.headers["x-request-id"] and response.headers["x-content-type-options"] == "nosniff"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["status"] for line in lines if line["logger"] == "helpdesk.access"] == [413, 413]
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL") or "error" in line]
    assert "Traceback" not in stream.getvalue()


def test_a_body_under_the_cap_is_served(client: Any) -> None:
    response = client.post("/api/chat", json={"message": "hello", "padding": "x" * (MAX_BODY_BYTES // 2)})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("RATE_LIMIT", "lots", "RATE_LIMIT: 'lots' is not a rate limit"),
        ("CODE_SEND_LIMIT", "3 per fortnight", "CODE_SEND_LIMIT: '3 per fortnight' is not a rate limit"),
        ("LOGIN_RATE_LIMIT", "5", "LOGIN_RATE_LIMIT:"),
        ("SMTP_URL", "mail.example.com:25", "SMTP_URL: must be a URL like smtp://host:port"),
        ("CHROMA_URL", "chroma:8000", "CHROMA_URL: must be a URL like http://host:port"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: must be a URL like redis://host:port"),
        ("PUBLIC_URL", "helpdesk.example.com", "PUBLIC_URL:"),
        ("DATABASE_URL", "mysql://db/helpdesk", "DATABASE_URL:"),
        ("WIDGET_ALLOWED_ORIGINS", "https://portal.example.com/app", "WIDGET_ALLOWED_ORIGINS:"),
        ("SESSION_IDLE_MINUTES", "thirty", "SESSION_IDLE_MINUTES: Input should be a valid integer"),
        ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES: must be greater than 0"),
        ("OUTBOX_POLL_SECONDS", "-1", "OUTBOX_POLL_SECONDS: must be greater than 0"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: must be one of"),
        ("METRICS", "maybe", "METRICS:"),
    ],
)
def test_a_malformed_setting_is_refused_by_name(variable: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **{variable: value})
    line = describe_error(caught.value)
    assert line.startswith(says) and "\n" not in line


def test_a_refused_secret_url_is_never_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, SMTP_URL="smtp://user:hunter2-secret@mail:notaport")
    assert "hunter2" not in describe_error(caught.value)


def test_the_cli_refuses_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, "migrate", RATE_LIMIT="a lot")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "privacy-bot: configuration error: RATE_LIMIT: 'a lot' is not a rate limit; "
        "write it like 30/minute or 3/15minutes"
    ]


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("openai:gpt-4o-mini", "LLM_MODEL=openai:gpt-4o-mini needs its provider's package"),
        ("no-such-model-anywhere", "LLM_MODEL=no-such-model-anywhere cannot be used"),
    ],
)
def test_a_wrong_llm_model_is_a_configuration_error(model: str, says: str) -> None:
    if model.startswith("openai:") and _installed("langchain_openai"):
        pytest.skip("langchain-openai is installed here, so the provider is not missing")
    with pytest.raises(ConfigurationError) as caught:
        build_chat_model(model)
    assert caught.value.message.startswith(says) and "\n" not in caught.value.message


@pytest.mark.parametrize("command", [("serve", "--port", "1"), ("ask", "how long do you keep my data?")])
def test_the_cli_and_the_server_stop_at_a_wrong_llm_model_with_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = _cli(tmp_path, *command, LLM_MODEL="no-such-provider:some-model")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("privacy-bot: configuration error: LLM_MODEL=no-such-provider")
    assert "Traceback" not in result.stderr and "Privacy helpdesk on" not in result.stdout


def test_eval_fails_plainly_when_a_set_is_not_installed(tmp_path: Path) -> None:
    missing = tmp_path / "not-installed.yaml"
    result = _cli(tmp_path, "eval", "--strict", "--questions", str(missing))
    assert result.returncode == 2
    assert result.stderr.strip() == f"privacy-bot eval: evaluation set not found: {missing}"


def test_the_evaluation_sets_ship_with_the_package() -> None:
    import tomllib

    from knowledge.evaluation import EVAL_DIR, INTENT_SET, RETRIEVAL_SETS

    for path in (*RETRIEVAL_SETS, INTENT_SET):
        assert path.is_file() and path.parent == EVAL_DIR
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "eval/*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["knowledge"]


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "DATABASE_URL", "CHROMA_", "RATE_"))}
    clean.update(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite", CHROMA_PATH=str(tmp_path / "chroma"), **env)
    return subprocess.run(
        [str(BIN), *args], cwd=tmp_path, env=clean, text=True, capture_output=True, timeout=120, check=False
    )


def test_production_wants_a_real_metrics_token() -> None:
    real = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": "k7Q2-vX9m_Lr4TzB8wN1pH6sJ3dF0gYc",  # 32 characters, many different ones
        "SMTP_URL": "smtp://mail.example.com:587",
    }
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, METRICS_TOKEN="changeme", **real)
    assert "METRICS_TOKEN must be a real secret" in describe_error(caught.value)
    assert Settings(_env_file=None, METRICS_TOKEN="scrape-token-0123456789", **real).METRICS_TOKEN
