"""create_app(settings) -> FastAPI: the only place that wires the helpdesk together."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from langchain_core.embeddings import Embeddings

from bot.access.identity import CodeVerifier
from bot.access.ratelimit import RateLimiter
from bot.answering.answers import Answerer, LlmPhraser
from bot.answering.decision import Decider
from bot.answering.intents import IntentClassifier
from bot.cases.emails import Contact, MailTemplates
from bot.cases.exports import ExportPolicy
from bot.cases.reminders import ReminderPolicy
from bot.cases.scheduler import Scheduler
from bot.conversation.engine import Engine
from bot.errors import ConfigurationError
from bot.flows import REQUEST_TYPES
from bot.logs import configure_logging
from bot.metrics import NULL_RECORDER
from bot.settings import Settings, describe_error
from bot.store.db import Database
from bot.store.mail import LogMailer, SmtpMailer
from bot.store.models import utcnow
from bot.store.outbox import OutboxWorker, Sender
from bot.teaching.refresh import KnowledgeRefresher
from handlers.body_limit import BodyLimit
from handlers.console.routes import router as console_router
from handlers.console.uploads import UPLOAD_OVERHEAD, UPLOAD_PATHS
from handlers.console.uploads import router as upload_router
from handlers.deps import Services
from handlers.docs import install_api_docs
from handlers.downloads import router as downloads_router
from handlers.errors import register_error_handlers
from handlers.middleware import install_middleware
from handlers.ops import Metrics, health_router, metrics_router
from handlers.ops.metrics import RequestMetrics, TimedChatModel, TimedEmbeddings
from handlers.slack.app import slack_router
from handlers.slack.sender import SlackSender
from handlers.statement import router as statement_router
from handlers.web import router as web_router
from handlers.widget import router as widget_router
from knowledge.ingest import collection_name
from knowledge.service import KnowledgeBase
from knowledge.statement import Statement

log = logging.getLogger("helpdesk")
MAX_BODY_BYTES = 256 * 1024


def build_services(
    settings: Settings,
    *,
    embeddings: Embeddings | None = None,
    chat_model: Any = None,
    clock: Callable[[], datetime] = utcnow,
    senders: dict[str, Sender] | None = None,
    knowledge: KnowledgeBase | None = None,
) -> Services:
    """Everything behind the routes, ready to serve (or to report why not via /healthz)."""
    settings.ensure_local_dirs()
    owns_embeddings = embeddings is None and knowledge is None
    metrics = Metrics() if settings.METRICS else None
    recorder = metrics.recorder if metrics else NULL_RECORDER
    db = Database(settings.DATABASE_URL)
    db_ready = _try(db.migrate, "database migration")
    knowledge, classifier, answerer = build_understanding(
        settings, embeddings=embeddings, chat_model=chat_model, knowledge=knowledge, metrics=metrics
    )
    statement = knowledge.statement
    mail = requester_mail(statement)
    if senders is None:
        senders = {"email": _mailer(settings, mail)}
        # Channel senders (e.g. Slack DMs) are added here when their channel is configured.
        if settings.SLACK_BOT_TOKEN:
            senders["slack"] = SlackSender.from_settings(settings)
    outbox = OutboxWorker(db, senders, clock=clock, poll_seconds=settings.OUTBOX_POLL_SECONDS, metrics=recorder)
    limiter = RateLimiter(settings.REDIS_URL)
    engine = Engine(
        db=db,
        classifier=classifier,
        answerer=answerer,
        codes=CodeVerifier(settings.SECRET_KEY),
        statement=statement,
        clock=clock,
        agent_channel=settings.SLACK_AGENT_CHANNEL,
        limiter=limiter,
        code_send_limit=settings.CODE_SEND_LIMIT,
        idle=timedelta(minutes=settings.SESSION_IDLE_MINUTES),
        on_queued=outbox.kick,
        metrics=recorder,
        public_url=settings.PUBLIC_URL,
    )
    # Taught knowledge: loaded now, then polled (every process sees a change within the poll period).
    refresher = KnowledgeRefresher(db, knowledge.taught, poll_seconds=settings.KNOWLEDGE_POLL_SECONDS)
    if db_ready:
        _try(lambda: refresher.refresh(force=True), "taught knowledge")
    services = Services(
        settings=settings,
        db=db,
        knowledge=knowledge,
        engine=engine,
        outbox=outbox,
        limiter=limiter,
        clock=clock,
        db_ready=db_ready,
        metrics=metrics,
        scheduler=build_scheduler(settings, db, clock=clock, on_queued=outbox.kick),
        mail=mail,
        refresher=refresher,
    )
    if owns_embeddings:  # parts a caller passed in are the caller's to close
        services.closers.append(knowledge.embeddings.close)
    return services


def build_scheduler(
    settings: Settings, db: Database, *, clock: Callable[[], datetime], on_queued: Callable[[], None]
) -> Scheduler:
    """Deadline reminders, the daily digest and ended export files (one runner across processes)."""
    policy = ReminderPolicy(
        days_before=tuple(settings.REMINDER_DAYS),
        reminder_time=settings.reminder_time,
        digest_time=settings.digest_time,
        agent_channel=settings.SLACK_AGENT_CHANNEL,
        public_url=settings.PUBLIC_URL,
    )
    return Scheduler(
        db,
        clock=clock,
        policy=policy,
        exports=ExportPolicy.from_settings(settings),
        poll_seconds=settings.SCHEDULER_POLL_SECONDS,
        on_queued=on_queued,
    )


def requester_mail(statement: Statement) -> MailTemplates:
    """The requester e-mails' templates, with the contact route of Section 1 of the statement."""
    section = statement.section("1")
    return MailTemplates(Contact.from_section(section.text if section else ""))


def _mailer(settings: Settings, mail: MailTemplates) -> Sender:
    if not settings.SMTP_URL:
        return LogMailer()
    return SmtpMailer(
        settings.SMTP_URL,
        settings.MAIL_FROM,
        allow_plaintext=settings.SMTP_ALLOW_PLAINTEXT,
        ca_file=settings.SMTP_CA_FILE,
        render=mail.render_message,
    )


def build_understanding(
    settings: Settings,
    *,
    embeddings: Embeddings | None = None,
    chat_model: Any = None,
    knowledge: KnowledgeBase | None = None,
    progress: Any = None,
    metrics: Metrics | None = None,
) -> tuple[KnowledgeBase, IntentClassifier, Answerer]:
    """The parts that read messages: knowledge base (ingested if needed), classifier, answerer."""
    one_blas_thread()
    if chat_model is None and settings.LLM_MODEL:
        chat_model = build_chat_model(settings.LLM_MODEL)  # first: a wrong LLM_MODEL fails before the model loads
    if embeddings is None:
        from knowledge.embeddings import load_embeddings

        embeddings = load_embeddings(
            cache_dir=Path(settings.CACHE_DIR), threads=settings.EMBEDDING_THREADS, backend=settings.EMBEDDING_BACKEND
        )
    if metrics is not None:
        embeddings = TimedEmbeddings(embeddings, metrics)
        chat_model = TimedChatModel(chat_model, metrics) if chat_model is not None else None
    if knowledge is None:
        knowledge = KnowledgeBase(
            embeddings=embeddings,
            chroma_path=settings.CHROMA_PATH,
            chroma_url=settings.CHROMA_URL,
            cache_dir=Path(settings.CACHE_DIR),
        )
    progress = progress or _logged_progress()
    _try(lambda: knowledge.prepare(auto_ingest=settings.AUTO_INGEST, progress=progress), "knowledge index")
    statement = knowledge.statement
    domain = [p.text for p in statement.passages] + [q for qs in knowledge.source.hints.values() for q in qs]
    classifier = IntentClassifier(embeddings, domain_texts=domain, cache_dir=Path(settings.CACHE_DIR))
    decider = Decider(
        embeddings,
        intent_scores=lambda text: classifier.classify(text).scores,
        request_types=REQUEST_TYPES,
        cache_dir=Path(settings.CACHE_DIR),
    )
    answerer = Answerer(
        knowledge,
        decider=decider,
        statement=statement,
        phraser=LlmPhraser(chat_model) if chat_model is not None else None,
        # The decision's features come from this index and this classifier: either changing retrains it.
        # (Not from the learned re-ranking: the evidence describes the fused ranking.)
        fingerprint=lambda: f"{collection_name(knowledge.source, embeddings)}:{classifier.digest}",
    )
    if knowledge.ready:  # trained (or loaded from the cache) now, so no user waits for it
        _try(answerer.prepare, "answer decision model")
    return knowledge, classifier, answerer


def one_blas_thread() -> None:
    """Run numpy's matrix products on one thread in this process. The products of a question are
    small (a vector against a few thousand); OpenBLAS splits them over both cores and its helper
    thread then spins between calls — measured: 42 → 24 ms of CPU per chat turn, same latency.
    Requests run side by side in threads and processes already; that is where the cores go."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _logged_progress() -> Callable[[str, int, int], None]:
    """Start-up says what it is doing: the ingest's progress in the log, a line per quarter."""
    logged = {"quarter": -1}

    def report(stage: str, done: int, total: int) -> None:
        if stage == "up to date":
            log.info("knowledge index: up to date")
            return
        quarter = 4 * done // max(total, 1)
        if quarter > logged["quarter"] or stage == "done":
            logged["quarter"] = quarter
            log.info("knowledge index: %s %d/%d", "ingested" if stage == "done" else "ingesting", done, total)

    return report


def build_chat_model(model_id: str) -> Any:
    """`init_chat_model(LLM_MODEL)`, or a ConfigurationError that says in one line what to fix."""
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(model_id)
    except ImportError as exc:
        raise ConfigurationError(
            f"LLM_MODEL={model_id} needs its provider's package ({_one_line(exc)}); "
            "install the LLM extra: pip install '.[llm]'"
        ) from exc
    except Exception as exc:  # an unknown provider or model id, a missing API key: the library says which
        raise ConfigurationError(f"LLM_MODEL={model_id} cannot be used: {_one_line(exc)}") from exc


def preflight(settings: Settings) -> None:
    """Check at start what would otherwise fail deep inside a worker: the LLM and the tracing packages."""
    if settings.LLM_MODEL:
        build_chat_model(settings.LLM_MODEL)
    if settings.OTEL_ENABLED:
        from handlers.ops.tracing import check_installed

        check_installed()


def quiet_progress_bars() -> None:
    """No library progress bars ("Loading weights 100%|███"): noise in a service's log and in a
    terminal's. huggingface_hub and transformers read the variable when first imported."""
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    if "transformers" in sys.modules:  # already imported (tests): switch its bars off directly
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def create_app(
    settings: Settings | None = None, *, services: Services | None = None, span_exporter: Any = None, **parts: Any
) -> FastAPI:
    """The FastAPI app. Tests pass their own settings and fakes (`embeddings`, `clock`, `senders`,
    `span_exporter` for tracing, ...)."""
    settings = settings or Settings()
    configure_logging(settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)
    quiet_progress_bars()
    services = services or build_services(settings, **parts)
    tracing: list[Any] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.outbox.start()
        if services.refresher is not None:
            services.refresher.start()
        if services.settings.SCHEDULER_ENABLED and services.scheduler is not None:
            services.scheduler.start()
        stop = threading.Event()
        retry = threading.Thread(target=_recover, args=(services, stop), name="recover", daemon=True)
        retry.start()
        try:
            yield
        finally:
            stop.set()
            if services.scheduler is not None:
                services.scheduler.stop()
            services.outbox.stop()
            if services.refresher is not None:
                services.refresher.stop()
            for close in services.closers:
                close()
            for provider in tracing:
                provider.shutdown()  # flush the last spans

    app = FastAPI(
        title="Privacy helpdesk",
        version="0.1.0",
        description="Answers from the myKONE privacy statement and tracked data-subject requests.",
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry stays off: OTEL_ENABLED decides (handlers/ops/tracing.py).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,  # handlers.docs serves them, when API_DOCS allows, without a CDN
        redoc_url=None,
    )
    app.state.services = services
    register_error_handlers(app)
    # Innermost, so its 413 gets ids, CORS and headers. Export uploads have their own limit (EXPORT_MAX_MB).
    uploads = settings.export_max_bytes + UPLOAD_OVERHEAD
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, larger=((UPLOAD_PATHS, uploads),))
    install_middleware(app, settings)
    if services.metrics is not None:
        app.add_middleware(RequestMetrics, metrics=services.metrics)  # outermost: sees every final status
        app.include_router(metrics_router)
    if settings.OTEL_ENABLED:
        from handlers.ops.tracing import enable_tracing

        tracing.append(enable_tracing(app, services.db.engine, settings, exporter=span_exporter))
    app.include_router(health_router)
    # Channels: each contributes its routes. (Keep one line per channel.)
    app.include_router(web_router)
    app.include_router(widget_router)
    app.include_router(statement_router)
    app.include_router(console_router)
    app.include_router(upload_router)
    app.include_router(downloads_router)
    if settings.api_docs:
        install_api_docs(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "handlers" / "static"), name="static")
    if settings.slack_enabled:
        app.include_router(slack_router(services))
    return app


def _recover(services: Services, stop: threading.Event) -> None:
    """Finish start-up work that failed (database or index down) once the dependency returns."""
    while not stop.wait(5.0):
        if not services.db_ready:
            services.db_ready = _try(services.db.migrate, "database migration")
        if not services.knowledge.ready:
            _try(lambda: services.knowledge.prepare(auto_ingest=services.settings.AUTO_INGEST), "knowledge index")


def _try(step: Callable[[], Any], what: str) -> bool:
    try:
        step()
        return True
    except Exception as exc:  # start-up must survive an unavailable dependency; /healthz reports it
        log.error("%s failed: %s: %s", what, type(exc).__name__, exc)
        return False


def load_settings() -> Settings:
    """Settings from the environment and .env; an invalid value ends the command with one clear line."""
    try:
        return Settings()
    except Exception as exc:  # a bad .env or variable: say which, don't dump a traceback
        sys.exit(f"privacy-bot: configuration error: {describe_error(exc)}")


def main(argv: list[str] | None = None) -> int:
    """The `privacy-bot` command: the CLI channel, handed what it needs from here."""
    from handlers.cli import Wiring
    from handlers.cli import main as run

    quiet_progress_bars()
    wiring = Wiring(
        settings=load_settings,
        build_services=build_services,
        build_understanding=build_understanding,
        preflight=preflight,
        server_factory="app:create_app",
        command=(sys.executable, "-m", "app"),
    )
    return run(sys.argv[1:] if argv is None else argv, wiring)


if __name__ == "__main__":
    sys.exit(main())
