"""Prometheus metrics: the instruments, the core's recorder, HTTP request counts, `GET /metrics`.

One process (`serve`): each app has its own registry. Several workers (`serve --workers N`):
`privacy-bot serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before the workers
start, prometheus_client writes every worker's counters and histograms there, and whichever
worker answers a scrape sums them all (prometheus_client's multiprocess mode). Figures read from
the database (outbox, tickets) are computed at scrape time by one worker, never summed.

Labels are fixed vocabularies — route templates (never raw paths), methods, statuses, intents,
channels, outcomes — so no personal data and no unbounded series reach Prometheus.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from langchain_core.embeddings import Embeddings
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.cases.queue import ticket_load
from bot.errors import NotAuthenticated
from bot.metrics import ANSWER_OUTCOMES, AnswerOutcome, DeliveryResult
from bot.store.outbox import outbox_backlog

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# From a cached embedding (microseconds) to a slow LLM call (seconds).
MODEL_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_mode() -> bool:
    """Whether prometheus_client keeps values in PROMETHEUS_MULTIPROC_DIR (it decides at import)."""
    return values.ValueClass is not values.MutexValue


class Metrics:
    """The process's instruments. `multiprocess` is prometheus_client's mode unless a test says otherwise."""

    def __init__(self, *, multiprocess: bool | None = None) -> None:
        self.multiprocess = multiprocess_mode() if multiprocess is None else multiprocess
        self.registry = CollectorRegistry()
        # Multiprocess values live in files, not in a registry; /metrics collects them per scrape.
        registry = None if self.multiprocess else self.registry
        self.requests = Counter(
            "helpdesk_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "helpdesk_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=registry,
        )
        self.turns = Counter(
            "helpdesk_chat_turns",
            "Conversation turns, by channel and intent.",
            ["channel", "intent"],
            registry=registry,
        )
        self.answers = Counter(
            "helpdesk_answers",
            "Questions by outcome: answered from the statement, declined, or not covered (does_not_say).",
            ["outcome"],
            registry=registry,
        )
        self.deliveries = Counter(
            "helpdesk_outbox_deliveries",
            "Outbox delivery attempts by channel and result (sent, retry = failed and retried later, failed).",
            ["channel", "result"],
            registry=registry,
        )
        self.model_seconds = Histogram(
            "helpdesk_model_call_duration_seconds",
            "Model calls: the sentence embedding (query, documents; cached queries included) and the LLM.",
            ["model", "call"],
            buckets=MODEL_BUCKETS,
            registry=registry,
        )
        for outcome in ANSWER_OUTCOMES:
            self.answers.labels(outcome=outcome)  # present as 0 before the first question
        if not self.multiprocess:
            from prometheus_client import GCCollector, PlatformCollector, ProcessCollector

            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)

    @property
    def recorder(self) -> PrometheusRecorder:
        """What the engine and the outbox report to (bot.metrics.Recorder)."""
        return PrometheusRecorder(self)

    @contextmanager
    def timed(self, model: str, call: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.model_seconds.labels(model=model, call=call).observe(time.perf_counter() - started)

    def exposition(self, collectors: Iterable[Collector] = ()) -> bytes:
        """The text format: this process's (or every worker's) instruments, then the scrape-time
        `collectors` (database figures) from a registry of their own, so concurrent scrapes share nothing."""
        if self.multiprocess:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = self.registry
        extra = CollectorRegistry()
        for collector in collectors:
            extra.register(collector)
        return generate_latest(registry) + generate_latest(extra)


class PrometheusRecorder:
    """bot.metrics.Recorder over the Prometheus instruments."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def turn(self, *, channel: str, intent: str) -> None:
        self.metrics.turns.labels(channel=channel, intent=intent).inc()

    def answer(self, *, outcome: AnswerOutcome) -> None:
        self.metrics.answers.labels(outcome=outcome).inc()

    def delivery(self, *, channel: str, result: DeliveryResult) -> None:
        self.metrics.deliveries.labels(channel=channel, result=result).inc()


class TimedEmbeddings(Embeddings):
    """The app's embeddings with every call timed; anything else (`name`, ...) is the model's own."""

    def __init__(self, inner: Embeddings, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def embed_query(self, text: str) -> list[float]:
        with self._metrics.timed("embedding", "query"):
            return self._inner.embed_query(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._metrics.timed("embedding", "documents"):
            return self._inner.embed_documents(texts)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never recurse while half-built (copy, pickle)
            raise AttributeError(name)
        return getattr(self._inner, name)


class TimedChatModel:
    """A langchain chat model whose `invoke` is timed (the only call LlmPhraser makes)."""

    def __init__(self, inner: Any, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        with self._metrics.timed("llm", "invoke"):
            return self._inner.invoke(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never recurse while half-built (copy, pickle)
            raise AttributeError(name)
        return getattr(self._inner, name)


class DatabaseFigures:
    """Scrape-time figures from the database: outbox depth and age, open and overdue tickets."""

    def __init__(self, db: Any, clock: Callable[[], datetime], channels: Iterable[str] = ()) -> None:
        self.db = db
        self.clock = clock
        self.channels = tuple(channels)  # reported as 0 when nothing waits

    def describe(self) -> list[Any]:
        return []  # nothing to check at registration: collect() queries the database

    def collect(self) -> Iterator[Any]:
        now = self.clock()
        up = GaugeMetricFamily("helpdesk_database_up", "1 when the database answered this scrape's queries.")
        try:
            with self.db.read() as session:
                backlog = outbox_backlog(session, now=now)
                load = ticket_load(session, today=now.date())
        except Exception:  # a scrape during an outage still answers, and says so
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        pending = GaugeMetricFamily(
            "helpdesk_outbox_pending", "Undelivered outbox messages, by channel.", labels=["channel"]
        )
        for channel in sorted({*self.channels, *backlog.pending}):
            pending.add_metric([channel], backlog.pending.get(channel, 0))
        yield pending
        age = (now - backlog.oldest_pending).total_seconds() if backlog.oldest_pending else 0.0
        yield GaugeMetricFamily(
            "helpdesk_outbox_oldest_pending_age_seconds",
            "Age of the oldest undelivered outbox message (0 when none).",
            value=max(age, 0.0),
        )
        tickets = GaugeMetricFamily("helpdesk_tickets_open", "Open tickets, by status.", labels=["status"])
        for status, count in load.open_by_status.items():
            tickets.add_metric([status], count)
        yield tickets
        yield GaugeMetricFamily("helpdesk_tickets_overdue", "Open tickets past their due date.", value=load.overdue)


class RequestMetrics:
    """Counts and times every HTTP request under its route template ("/api/chat/{session_id}/history")."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope.get("method", "")
            method = method if method in METHODS else "other"
            route = route_template(scope)
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.request_seconds.labels(method=method, route=route).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's template; "unmatched" for paths no route knows (bounded labels)."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(path, str) or not path:
        return "unmatched"
    if route is not None and not hasattr(route, "endpoint"):  # a Mount (static files): one label for all
        return path.rstrip("/") + "/{path}"
    return path


router = APIRouter()


@router.get(
    "/metrics",
    tags=["ops"],
    response_class=Response,
    responses={
        200: {"description": "Prometheus text format", "content": {"text/plain": {}}},
        401: {"description": "METRICS_TOKEN is set and the bearer token is missing or wrong"},
    },
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: requests by route and status, chat turns by intent and channel, answers by
    outcome, model-call latency, outbox depth and age, open and overdue tickets, delivery retries.
    Off when METRICS=off; with METRICS_TOKEN set, send `Authorization: Bearer <token>`."""
    services = request.app.state.services
    token = services.settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("authorization", "")
        if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
            raise NotAuthenticated("Metrics need the bearer token set in METRICS_TOKEN.")
    figures = DatabaseFigures(services.db, services.clock, channels=services.outbox.senders)
    body = await run_in_threadpool(services.metrics.exposition, [figures])
    return Response(body, media_type=CONTENT_TYPE_LATEST)
