"""Issue 12 finding 6: production refuses weak secrets and a missing SMTP server, saying what to set."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import Settings

STRONG = "q7Vd-2LmZx9Rt4WcYp0Kb8Hs3Nf6Ju1E"  # 33 characters, 30+ different
STRONG_WIDGET = "Zp3-Lk8Wq1Rv6Tx0Yb5Nc9Hd2Mf7Gs4J"


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": STRONG,
        "WIDGET_IDENTITY_SECRET": STRONG_WIDGET,
        "SMTP_URL": "smtp://mailer.example.com:587",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def test_strong_production_settings_are_accepted_and_docs_are_off() -> None:
    settings = production()
    assert settings.api_docs is False
    assert production(API_DOCS=True).api_docs is True  # an operator may turn them on explicitly
    assert production(WIDGET_IDENTITY_SECRET=None).WIDGET_IDENTITY_SECRET is None  # signed identities off


@pytest.mark.parametrize(
    "value",
    [
        "short-but-random-8Hq2",  # under 32 characters
        "a" * 40,  # long, but one character
        "abcabcabcabcabcabcabcabcabcabcabcabc",  # a pattern: 3 different characters
        "CHANGE-ME-to-at-least-32-random-characters",  # the example file's placeholder
        "dev-secret-key",
    ],
)
def test_a_weak_secret_key_is_refused_with_what_to_set(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        production(SECRET_KEY=value)
    message = str(refused.value)
    assert "SECRET_KEY must be at least 32 random characters" in message and "secrets.token_urlsafe(32)" in message


def test_a_weak_widget_identity_secret_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        production(WIDGET_IDENTITY_SECRET="portal-secret")
    assert "WIDGET_IDENTITY_SECRET must be at least 32 random characters" in str(refused.value)


def test_production_without_smtp_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        production(SMTP_URL=None)
    message = str(refused.value)
    assert "SMTP_URL must be set in production" in message and "written to the log" in message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, ENVIRONMENT="production", SECRET_KEY="x" * 20, WIDGET_IDENTITY_SECRET="y")
    message = str(refused.value)
    assert "SECRET_KEY" in message and "WIDGET_IDENTITY_SECRET" in message and "SMTP_URL" in message


def test_local_use_keeps_its_easy_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.ENVIRONMENT == "local" and settings.api_docs is True and settings.SMTP_URL is None
