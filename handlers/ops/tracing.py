"""OpenTelemetry tracing for HTTP (FastAPI) and SQL (SQLAlchemy), off unless OTEL_ENABLED.

Spans leave the process only for the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT, and only
after `ScrubbingExporter` took the personal data out: URLs (their query strings carry search
terms such as an e-mail address, their paths carry session ids) give way to the route template,
client addresses and user agents go, SQL literals become `?`, and any e-mail address left in a
name, attribute or event is replaced. Needs the `otel` extra (`pip install '.[otel]'`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from bot.errors import ConfigurationError
from bot.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
MISSING = "OTEL_ENABLED is on but the OpenTelemetry packages are not installed: pip install '.[otel]'"
NOT_TRACED = "livez,healthz,metrics"  # probes and scrapes would drown the traces
# Attributes that hold where a request came from or its full address: dropped (http.route stays).
DROPPED = frozenset(
    {
        "http.url",
        "url.full",
        "http.target",
        "url.path",
        "url.query",
        "http.client_ip",
        "client.address",
        "client.port",
        "net.peer.ip",
        "net.peer.port",
        "net.sock.peer.addr",
        "net.sock.peer.port",
        "network.peer.address",
        "network.peer.port",
        "http.user_agent",
        "user_agent.original",
    }
)
SQL_KEYS = frozenset({"db.statement", "db.query.text"})
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
REDACTED_EMAIL = "[email]"


def scrub_text(text: str) -> str:
    """Every e-mail address (percent-encoded ones too) replaced."""
    if "%40" in text.upper():
        text = unquote(text)
    return _EMAIL.sub(REDACTED_EMAIL, text)


def scrub_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Span or event attributes without addresses, client details, SQL literals or e-mail addresses."""
    clean: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if key in DROPPED:
            continue
        if key in SQL_KEYS and isinstance(value, str):
            value = _SQL_LITERAL.sub("?", value)
        clean[key] = _scrub_value(value)
    return clean


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return tuple(_scrub_value(item) for item in value)
    return value


def scrub_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of a finished span with personal data taken out."""
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.trace import Status

    status = span.status
    if status.description:
        status = Status(status.status_code, scrub_text(status.description))
    return ReadableSpan(
        name=scrub_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=[Event(scrub_text(e.name), scrub_attributes(e.attributes), e.timestamp) for e in span.events],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def scrubbing(exporter: SpanExporter) -> SpanExporter:
    """`exporter`, fed only scrubbed copies of the spans."""
    from opentelemetry.sdk.trace.export import SpanExporter

    class ScrubbingExporter(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return exporter.export([scrub_span(span) for span in spans])

        def shutdown(self) -> None:
            exporter.shutdown()

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return exporter.force_flush(timeout_millis)

    return ScrubbingExporter()


def check_installed() -> None:
    """Raise ConfigurationError (one clear line at start) when the `otel` extra is missing."""
    try:
        import opentelemetry.instrumentation.fastapi
        import opentelemetry.instrumentation.sqlalchemy
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(MISSING) from exc


def enable_tracing(
    app: FastAPI, engine: Engine, settings: Settings, *, exporter: SpanExporter | None = None
) -> TracerProvider:
    """Trace `app`'s requests and `engine`'s queries with a provider of their own (no global state).

    `exporter` (tests: an in-memory one) gets every span synchronously; otherwise spans are
    batched to OTEL_EXPORTER_OTLP_ENDPOINT, or dropped when it is unset.
    """
    check_installed()
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.OTEL_SERVICE_NAME}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(scrubbing(exporter)))
    elif settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        otlp = OTLPSpanExporter(endpoint=settings.OTEL_EXPORTER_OTLP_ENDPOINT)
        provider.add_span_processor(BatchSpanProcessor(scrubbing(otlp)))
    else:
        log.warning("OTEL_ENABLED is on but OTEL_EXPORTER_OTLP_ENDPOINT is unset: spans are not exported")
    meters = NoOpMeterProvider()  # metrics are Prometheus's job (/metrics)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        meter_provider=meters,
        excluded_urls=NOT_TRACED,
        exclude_spans=["receive", "send"],
    )
    usage = meters.get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine, usage)
    return provider
