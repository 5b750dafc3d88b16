"""Configuration: one Settings object, built once by app.py or the CLI and passed down."""

from __future__ import annotations

import json
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev-secret-key"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_SECRET_KEY = "dev-secret-key"
# A production secret: at least 32 characters with at least 10 different ones, so a word, a
# repeated pattern or a short value is refused (e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"`).
MIN_SECRET_CHARS = 32
MIN_DISTINCT_SECRET_CHARS = 10
SECRET_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
# The content types an uploaded export may have: the ones whose bytes bot.cases.exports can check.
EXPORT_TYPES = ("application/json", "text/csv", "application/zip", "application/pdf")
# What the app serves as files (`/static`): exports are never stored in or under it.
WEB_ROOT = Path(__file__).resolve().parents[1] / "handlers" / "static"
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def weak_secret(value: str | None) -> bool:
    """Too short, too repetitive or a placeholder to key HMACs in production."""
    text = value or ""
    return (
        len(text) < MIN_SECRET_CHARS
        or len(set(text)) < MIN_DISTINCT_SECRET_CHARS
        or text.lower() in PLACEHOLDER_SECRETS
        or "change-me" in text.lower()
    )


class Settings(BaseSettings):
    """Every knob of the service; names are the environment variables of DESIGN §8."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    ENVIRONMENT: Literal["local", "production"] = "local"
    DATABASE_URL: str = "sqlite:///./data/helpdesk.db"
    CHROMA_PATH: str = "./data/chroma"
    CHROMA_URL: str | None = None
    CACHE_DIR: str = "./data/cache"
    SECRET_KEY: str = DEFAULT_SECRET_KEY
    WIDGET_ALLOWED_ORIGINS: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"]
    )
    WIDGET_IDENTITY_SECRET: str | None = None
    SMTP_URL: str | None = None
    # Only for a relay on the same host or a private link: send without TLS when the server offers none.
    SMTP_ALLOW_PLAINTEXT: bool = False
    # A CA bundle to verify the SMTP server with (a private CA); unset: the system's trusted CAs.
    SMTP_CA_FILE: str | None = None
    MAIL_FROM: str = "privacy-helpdesk@localhost"
    SLACK_BOT_TOKEN: str | None = None
    SLACK_SIGNING_SECRET: str | None = None
    SLACK_APP_TOKEN: str | None = None
    SLACK_AGENT_CHANNEL: str | None = None
    SLACK_API_URL: str | None = None
    LLM_MODEL: str | None = None
    REDIS_URL: str | None = None
    RATE_LIMIT: str = "30/minute"

    # Beyond the contract: sensible defaults an operator rarely changes.
    PUBLIC_URL: str = "http://127.0.0.1:8000"
    # Proxies whose X-Forwarded-For is believed (per-client rate limits); "*" inside a private network.
    FORWARDED_ALLOW_IPS: str = "127.0.0.1"
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: Literal["auto", "json", "text"] = "auto"  # auto: text on a terminal, JSON otherwise
    SESSION_IDLE_MINUTES: int = 30
    CODE_SEND_LIMIT: str = "3/15minutes"
    LOGIN_RATE_LIMIT: str = "5/minute"  # console sign-ins per (client, account)
    LOGIN_CLIENT_RATE_LIMIT: str = "20/minute"  # console sign-ins per client, whatever the account
    CONSOLE_SESSION_HOURS: int = 8
    OUTBOX_POLL_SECONDS: float = 5.0
    # How often each process checks for knowledge taught in the console (README "Feedback and teaching").
    KNOWLEDGE_POLL_SECONDS: float = 5.0
    PURGE_TICKETS_AFTER_DAYS: int = 365 * 3
    PURGE_TRANSCRIPTS_AFTER_DAYS: int = 90
    PURGE_CODES_AFTER_DAYS: int = 1
    AUTO_INGEST: bool = True
    # Interactive API docs at /docs and /redoc; unset: on for local use, off in production.
    API_DOCS: bool | None = None
    # Model calls side by side, each single-threaded; 0: one per core (`serve --workers N`: cores/N).
    EMBEDDING_THREADS: int = 0
    # "onnx" (the default: ONNX Runtime, no torch in the server), "onnx-int8" (faster, its own index)
    # or "torch" (sentence-transformers, needs the `torch` extra).
    EMBEDDING_BACKEND: Literal["onnx", "onnx-int8", "torch"] = "onnx"

    # Operations: metrics, readiness, tracing (README "Operations").
    METRICS: bool = True  # GET /metrics; "off" removes the route
    METRICS_TOKEN: str | None = None  # when set, /metrics wants "Authorization: Bearer <token>"
    OUTBOX_STUCK_MINUTES: int = 15  # /healthz is 503 when due mail waits this long and nothing is sent; 0: off
    OTEL_ENABLED: bool = False  # OpenTelemetry spans for HTTP and SQL (needs the `otel` extra)
    OTEL_EXPORTER_OTLP_ENDPOINT: str | None = None  # where spans go (OTLP/gRPC); unset: spans are dropped
    OTEL_SERVICE_NAME: str = "privacy-helpdesk"
    # Set by `serve --workers N` (or by you): the workers' shared Prometheus directory.
    PROMETHEUS_MULTIPROC_DIR: str | None = None
    # Casework: deadline reminders and the daily digest (a scheduler inside the app, one runner at a
    # time across processes), and the exports that complete access and portability requests.
    SCHEDULER_ENABLED: bool = True
    SCHEDULER_POLL_SECONDS: float = 60.0
    REMINDER_DAYS: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [7, 2])  # before due; + overdue
    REMINDER_TIME: str = "08:00"  # UTC: a day's reminders go out from then (late ones catch up at once)
    DIGEST_TIME: str = "08:00"  # UTC: the daily digest to the agents' channel and opted-in admins
    EXPORT_DIR: str = "./data/exports"  # never under the web root; a shared volume with several app hosts
    EXPORT_MAX_MB: int = 50
    EXPORT_CONTENT_TYPES: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(EXPORT_TYPES))
    EXPORT_LINK_DAYS: int = 7

    @field_validator("WIDGET_ALLOWED_ORIGINS", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # Accept "a,b" from the environment as well as a JSON list.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip().rstrip("/") for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("REMINDER_DAYS", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [part for part in text.split(",") if part.strip()]
        return value

    @field_validator("REMINDER_DAYS")
    @classmethod
    def _check_days(cls, value: list[int]) -> list[int]:
        if not value or any(not 1 <= day <= 60 for day in value):
            raise ValueError("REMINDER_DAYS is a list of whole days between 1 and 60, e.g. 7,2")
        return sorted(set(value), reverse=True)

    @field_validator("REMINDER_TIME", "DIGEST_TIME")
    @classmethod
    def _check_clock_time(cls, value: str) -> str:
        if not _CLOCK_TIME.match(value.strip()):
            raise ValueError("a time of day is HH:MM in UTC, e.g. 08:00")
        return value.strip()

    @field_validator("EXPORT_CONTENT_TYPES", mode="before")
    @classmethod
    def _split_types(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return (
                json.loads(text) if text.startswith("[") else [t.strip().lower() for t in text.split(",") if t.strip()]
            )
        return value

    @field_validator("EXPORT_CONTENT_TYPES")
    @classmethod
    def _check_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(EXPORT_TYPES))
        if not value or unknown:
            raise ValueError(f"EXPORT_CONTENT_TYPES may hold only {', '.join(EXPORT_TYPES)} (not {', '.join(unknown)})")
        return value

    @field_validator("EXPORT_MAX_MB")
    @classmethod
    def _check_export_size(cls, value: int) -> int:
        if not 1 <= value <= 2048:
            raise ValueError("EXPORT_MAX_MB is between 1 and 2048")
        return value

    @field_validator("EXPORT_LINK_DAYS")
    @classmethod
    def _check_link_days(cls, value: int) -> int:
        if not 1 <= value <= 30:
            raise ValueError("EXPORT_LINK_DAYS is between 1 and 30")
        return value

    @field_validator("EXPORT_DIR")
    @classmethod
    def _outside_web_root(cls, value: str) -> str:
        where = Path(value).expanduser().resolve()
        if where == WEB_ROOT or WEB_ROOT in where.parents:
            raise ValueError(f"EXPORT_DIR must not be inside the web root ({WEB_ROOT})")
        return value

    @model_validator(mode="after")
    def _refuse_weak_production_settings(self) -> Settings:
        if self.ENVIRONMENT != "production":
            return self
        problems = []
        rule = f"at least {MIN_SECRET_CHARS} random characters ({MIN_DISTINCT_SECRET_CHARS}+ different ones)"
        if weak_secret(self.SECRET_KEY):
            problems.append(f"SECRET_KEY must be {rule} in production; generate one with: {SECRET_HINT}")
        if self.WIDGET_IDENTITY_SECRET is not None and weak_secret(self.WIDGET_IDENTITY_SECRET):
            problems.append(
                f"WIDGET_IDENTITY_SECRET must be {rule} in production (the portal signs identities with it), "
                "or unset to turn signed identities off"
            )
        if not self.SMTP_URL:
            problems.append(
                "SMTP_URL must be set in production (e.g. smtp://user:password@mail.example.com:587); "
                "without it verification codes and receipts would only be written to the log"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def api_docs(self) -> bool:
        """Serve /docs and /redoc: API_DOCS when set, else only for local use."""
        return self.API_DOCS if self.API_DOCS is not None else self.ENVIRONMENT == "local"

    @property
    def slack_enabled(self) -> bool:
        """Slack HTTP mode is on only when both its token and signing secret are set."""
        return bool(self.SLACK_BOT_TOKEN and self.SLACK_SIGNING_SECRET)

    @property
    def reminder_time(self) -> time:
        return time.fromisoformat(self.REMINDER_TIME)

    @property
    def digest_time(self) -> time:
        return time.fromisoformat(self.DIGEST_TIME)

    @property
    def export_max_bytes(self) -> int:
        return self.EXPORT_MAX_MB * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.PUBLIC_URL.startswith("https://")

    @field_validator("RATE_LIMIT", "CODE_SEND_LIMIT", "LOGIN_RATE_LIMIT")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit; write it like 30/minute or 3/15minutes") from None
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("PUBLIC_URL", "CHROMA_URL", "SLACK_API_URL", "OTEL_EXPORTER_OTLP_ENDPOINT")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _url(value, ("http", "https"))

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        return _url(value, ("smtp", "smtps"))

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and value.startswith("unix://"):
            return value
        return _url(value, ("redis", "rediss", "redis+sentinel", "redis+cluster"))

    @field_validator("WIDGET_ALLOWED_ORIGINS")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            _url(origin, ("http", "https"))
            if urlsplit(origin).path not in ("", "/"):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], no path)")
        return value

    @field_validator(
        "SESSION_IDLE_MINUTES",
        "CONSOLE_SESSION_HOURS",
        "OUTBOX_POLL_SECONDS",
        "KNOWLEDGE_POLL_SECONDS",
        "PURGE_TICKETS_AFTER_DAYS",
        "PURGE_TRANSCRIPTS_AFTER_DAYS",
        "PURGE_CODES_AFTER_DAYS",
    )
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("EMBEDDING_THREADS", "OUTBOX_STUCK_MINUTES")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be 0 or more")
        return value

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @model_validator(mode="after")
    def _real_metrics_token_in_production(self) -> Settings:
        token = self.METRICS_TOKEN
        if self.ENVIRONMENT == "production" and token is not None and (token in PLACEHOLDER_SECRETS or len(token) < 16):
            raise ValueError("METRICS_TOKEN must be a real secret (16+ characters) in production")
        return self

    def ensure_local_dirs(self) -> None:
        """Create ./data-style folders for the embedded SQLite file and Chroma store."""
        if self.is_sqlite and ":memory:" not in self.DATABASE_URL:
            path = self.DATABASE_URL.split("///", 1)[-1]
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not self.CHROMA_URL:
            Path(self.CHROMA_PATH).mkdir(parents=True, exist_ok=True)
        Path(self.CACHE_DIR).mkdir(parents=True, exist_ok=True)
        Path(self.EXPORT_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)  # requesters' data: owner only


def _url(value: str | None, schemes: tuple[str, ...]) -> str | None:
    """`value` unless it is not a URL of one of `schemes` with a host (None passes: unset)."""
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"must be a URL like {schemes[0]}://host:port")
    return value


def describe_error(exc: Exception) -> str:
    """A settings failure as one line naming each bad variable — never its value (it may be a secret)."""
    if not isinstance(exc, ValidationError):
        return " ".join(str(exc).split())
    parts = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{name}: {message}" if name else message)
    return "; ".join(parts)
