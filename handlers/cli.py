"""`privacy-bot`: the command line. The terminal is a channel like Slack or the widget."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ConfigurationError
from bot.logs import configure_logging
from bot.settings import Settings
from handlers import knowledge_cli
from handlers.console import cli as console_cli
from handlers.slack import cli as slack_cli
from knowledge.evaluation import SUITES


@dataclass(frozen=True)
class Wiring:
    """What the composition root (app.py) hands the commands, so no handler imports it."""

    settings: Callable[[], Settings]  # read once per command; exits with a clear line when invalid
    build_services: Callable[[Settings], Any]  # everything behind the routes (handlers.deps.Services)
    build_understanding: Callable[[Settings], tuple[Any, Any, Any]]  # (knowledge, classifier, answerer)
    preflight: Callable[[Settings], None]  # raises ConfigurationError for what would fail later (LLM_MODEL)
    server_factory: str  # the import string uvicorn's workers call, e.g. "app:create_app"
    command: tuple[str, ...]  # how to run this CLI in a child process


def _progress(stage: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r  {stage:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if stage in ("done", "up to date"):
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_ingest(args: argparse.Namespace) -> int:
    """Build the knowledge index (idempotent: an unchanged statement is not re-embedded)."""
    from knowledge.embeddings import load_embeddings
    from knowledge.service import KnowledgeBase

    settings = args.wiring.settings()
    settings.ensure_local_dirs()
    print("Loading the embedding model (offline)...", file=sys.stderr)
    embeddings = load_embeddings(cache_dir=Path(settings.CACHE_DIR), backend=settings.EMBEDDING_BACKEND)
    # Indexing only: the re-ranking is trained (or loaded) where questions are answered.
    knowledge = KnowledgeBase(
        embeddings=embeddings, chroma_path=settings.CHROMA_PATH, chroma_url=settings.CHROMA_URL, rerank=False
    )
    where = settings.CHROMA_URL or settings.CHROMA_PATH
    print(f"Indexing statement version {knowledge.statement.version} into {where}", file=sys.stderr)
    changed = knowledge.prepare(auto_ingest=True, progress=_progress)
    print("Index updated." if changed else "Index already up to date; nothing re-embedded.")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply database migrations."""
    from bot.store.db import Database

    settings = args.wiring.settings()
    settings.ensure_local_dirs()
    Database(settings.DATABASE_URL).migrate()
    print("Database is up to date.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question from the statement and print it."""
    question = " ".join(args.question).strip()
    if not question:
        print('Ask a question, e.g.: privacy-bot ask "how long do you keep my data?"', file=sys.stderr)
        return 2
    settings = args.wiring.settings()
    settings.ensure_local_dirs()
    from bot.answering.answers import DECLINE
    from bot.answering.understanding import Understanding
    from bot.flows import FLOWS

    _, classifier, answerer = args.wiring.build_understanding(settings)
    understanding = Understanding(question, classifier, answerer)
    intent = understanding.intent
    if intent in ("out_of_scope", "greeting"):
        print(DECLINE)
        return 0
    if intent != "question":
        print(f"This reads like a '{intent}' request: start `privacy-bot chat` to file it.")
        return 0
    print(understanding.answer.text)
    offers = understanding.offers
    if offers:
        print(f"\n(In a chat I would offer to help you file {' or '.join(FLOWS[t].title for t in offers[:2])}.)")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the bot in the terminal: questions and full requests."""
    from handlers.terminal import TerminalMailer, run_chat

    settings = args.wiring.settings()
    settings.ensure_local_dirs()
    # Log lines never print over the prompt: this command logs to a file.
    log_file = Path(args.log_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    stream = log_file.open("a", encoding="utf-8")
    configure_logging(settings.LOG_LEVEL, fmt="text", stream=stream)
    print(f"Starting (loading the model and the index)... Logs go to {log_file}.", file=sys.stderr)
    services = args.wiring.build_services(settings)
    mailer = None
    if not settings.SMTP_URL:
        # No mail server: the e-mails (the code that confirms who you are) are shown in the chat.
        mailer = TerminalMailer()
        services.outbox.senders["email"] = mailer
    else:
        services.outbox.start()
    session_id = f"cli-{uuid.uuid4().hex}"
    rate = {
        "/good": lambda: _rate(services, session_id, helpful=True),
        "/bad": lambda: _rate(services, session_id, helpful=False),
    }
    try:
        run_chat(services, session_id, mailer=mailer, commands=rate)
    finally:
        services.outbox.stop()
        stream.close()
    return 0


def _rate(services: Any, session_id: str, *, helpful: bool) -> list[Any]:
    """/good or /bad: a vote on the latest answer; after /bad, the choice to reach a person."""
    from bot.teaching.feedback import HANDOFF_ACTION, TALK_TO_A_PERSON, answer_at, thanks, vote
    from bot.types import Choice

    with services.db.write() as session:
        answer = answer_at(session, session_id, None)
        if answer is not None and answer.id is not None:
            vote(session, question_id=answer.id, helpful=helpful, channel="cli", now=services.clock())
    if answer is None:
        print("\nbot> There is no answer to rate yet.\n")
        return []
    print(f"\nbot> {thanks(helpful)}\n")
    if helpful:
        return []
    print(f"  1. {TALK_TO_A_PERSON}\n")
    return [Choice(HANDOFF_ACTION, TALK_TO_A_PERSON)]


def cmd_eval(args: argparse.Namespace) -> int:
    """Measure every figure of the quality table on the held-out and tuning suites, side by side."""
    from bot.answering import quality

    suites = {name: dict(paths) for name, paths in SUITES.items()}
    if args.questions or args.intents:  # sets named on the command line form one suite of their own
        suites = {Path(q).name: {"answers": Path(q)} for q in args.questions or []}
        if args.intents:
            suites[Path(args.intents).name] = {"intents": Path(args.intents)}
    elif args.suite != "all":
        suites = {args.suite: suites[args.suite]}
    missing = [str(p) for paths in suites.values() for p in paths.values() if not p.is_file()]
    if missing:
        # Never a silent pass: a check that measured nothing must not look like one that passed.
        print(f"privacy-bot eval: evaluation set not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = args.wiring.settings()
    settings.ensure_local_dirs()
    parts = args.wiring.build_understanding(settings)
    if args.ablation:
        print(quality.ablation(suites, parts))
        return 0
    reports = []
    for name, paths in suites.items():
        if args.unseen:  # the re-ranker learns from the answer sets: measure each without its own
            parts[0].rank_without([p for kind, p in paths.items() if kind == "answers"])
        reports.append(quality.measure(name, paths, parts))
    print(quality.table(reports))
    if args.verbose:
        for report in reports:
            if report.name == "held-out":
                continue  # never list held-out items: looking at them would turn them into tuning data
            _print_misses(report)
    failed = [f"{r.name}: {line}" for r in reports for line in quality.below_the_line(r)]
    if failed and args.strict:
        print("Below the line:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


def _print_misses(report: Any) -> None:
    if report.answers is not None:
        for case, outcome in report.answers.failures:
            want = ",".join(case.sections) or case.kind
            got = f"{outcome.outcome or 'answered'} {','.join(outcome.sections)}"
            print(f"   x {case.question!r}: wanted {want}, got {got}")
    for part in (report.intents, report.languages, report.followups):
        for text, want, got in getattr(part, "misses", []):
            print(f"   x {text!r}: wanted {want}, got {got}")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP server (uvicorn). Migrates and ingests first, once, so workers start fast."""
    import subprocess

    import uvicorn

    from knowledge.embeddings import model_name, prepare_embeddings
    from knowledge.service import index_is_current

    settings = args.wiring.settings()
    args.wiring.preflight(settings)  # a bad LLM_MODEL: one line here, not a traceback in each worker
    settings.ensure_local_dirs()
    cmd_migrate(args)
    # One worker ingests at start-up by itself. Several would race to do the same work, so a
    # stale index is built first — in a child process, so the model it loads does not stay
    # resident in the server's parent process (every worker loads its own copy anyway).
    # The ONNX model is converted once here (about a second), not by every worker at start-up.
    prepare_embeddings(cache_dir=Path(settings.CACHE_DIR), backend=settings.EMBEDDING_BACKEND)
    stale = args.workers > 1 and not index_is_current(
        chroma_path=settings.CHROMA_PATH, chroma_url=settings.CHROMA_URL, model=model_name(settings.EMBEDDING_BACKEND)
    )
    if stale and subprocess.run([*args.wiring.command, "ingest"], check=False).returncode != 0:
        print("privacy-bot: ingest failed; the server will retry at start-up.", file=sys.stderr)
    if args.workers > 1 and not settings.EMBEDDING_THREADS:
        # Workers re-read the settings from the environment: share the cores out between them.
        os.environ["EMBEDDING_THREADS"] = str(max(1, (os.cpu_count() or 1) // args.workers))
    metrics_dir = _prepare_metrics_dir(settings, args.workers)
    base = f"http://{args.host}:{args.port}"
    print(
        f"\nPrivacy helpdesk on {base}\n  chat (demo page):  {base}/\n  health:            {base}/healthz\n"
        + (f"  metrics:           {base}/metrics\n" if settings.METRICS else "")
        + f"  agent console:     {base}/console  "
        "(first admin: .venv/bin/privacy-bot agent add you@example.com --role admin)\n",
        flush=True,
    )
    # Our masked JSON logging (configured in create_app) replaces uvicorn's, access log included.
    try:
        uvicorn.run(
            args.wiring.server_factory,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.LOG_LEVEL.lower(),
            proxy_headers=True,
            forwarded_allow_ips=settings.FORWARDED_ALLOW_IPS,
            log_config=None,
            access_log=False,
            # A worker imports the app and loads the model before it answers the supervisor's
            # pings; uvicorn's 5 s default kills and restarts workers on a busy machine.
            timeout_worker_healthcheck=60,
        )
    finally:
        if metrics_dir is not None and metrics_dir.owned:
            shutil.rmtree(metrics_dir.path, ignore_errors=True)
    return 0


@dataclass(frozen=True)
class _MetricsDir:
    path: Path
    owned: bool  # made by this command, removed when it ends


def _prepare_metrics_dir(settings: Settings, workers: int) -> _MetricsDir | None:
    """Several workers share their Prometheus values through a directory (prometheus_client's
    multiprocess mode); it must be set before the workers start and emptied between runs."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        path, owned = Path(settings.PROMETHEUS_MULTIPROC_DIR), False
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()  # counters of a previous run would be summed into this one
    elif workers > 1 and settings.METRICS:
        path, owned = Path(tempfile.mkdtemp(prefix="privacy-bot-metrics-")), True
    else:
        return None
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)  # the workers' prometheus_client reads it at import
    return _MetricsDir(path, owned)


def cmd_purge(args: argparse.Namespace) -> int:
    """Apply the retention policy: anonymise old closed tickets, delete old transcripts and codes."""
    from datetime import timedelta

    from bot.cases.exports import remove_files, sweep_orphans
    from bot.cases.purge import RetentionPolicy, purge
    from bot.store.db import Database
    from bot.store.models import utcnow

    settings = args.wiring.settings()
    policy = RetentionPolicy(
        # 0 means 0 (everything closed so far); only an absent option falls back to the setting.
        tickets_after=timedelta(days=_given(args.tickets_days, settings.PURGE_TICKETS_AFTER_DAYS)),
        transcripts_after=timedelta(days=_given(args.transcripts_days, settings.PURGE_TRANSCRIPTS_AFTER_DAYS)),
        codes_after=timedelta(days=settings.PURGE_CODES_AFTER_DAYS),
    )
    db = Database(settings.DATABASE_URL)
    with db.write() as session:
        report = purge(session, now=utcnow(), policy=policy, dry_run=args.dry_run)
    if not args.dry_run:  # the rows say the files are gone: now they are (also any left by a crash)
        export_dir = Path(settings.EXPORT_DIR)
        remove_files(export_dir, report.export_files_deleted)
        with db.read() as session:
            sweep_orphans(session, export_dir, now=utcnow())
    print("Dry run — nothing changed. Would purge:" if args.dry_run else "Purged:")
    for line in report.lines():
        print(f"  {line}")
    return 0


def _given(value: int | None, default: int) -> int:
    return default if value is None else value


def _days(text: str) -> int:
    """A number of days for a retention option: a whole number, 0 or more."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"days cannot be negative (got {days}); 0 means everything up to now")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacy-bot",
        description="Privacy helpdesk for the myKONE privacy statement: answers, requests, tickets.",
        epilog="Configuration comes from environment variables or a .env file (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web server (chat API, widget, console, Slack events)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("ingest", help="(re)build the knowledge index if the statement changed").set_defaults(
        func=cmd_ingest
    )
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    ask = sub.add_parser("ask", help="answer one question from the statement")
    ask.add_argument("question", nargs="+", help='the question, e.g. "can you forget me?"')
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="talk to the bot in the terminal (questions and requests)")
    chat.add_argument(
        "--log-file", default="data/chat.log", help="where this chat writes its logs (default data/chat.log)"
    )
    chat.set_defaults(func=cmd_chat)

    evaluate = sub.add_parser("eval", help="measure answer quality and intent accuracy on labelled sets")
    evaluate.add_argument("--suite", choices=("all", *SUITES), default="all", help="which suite to run (default all)")
    evaluate.add_argument("--questions", action="append", help="an answer set (YAML) to run instead; repeatable")
    evaluate.add_argument("--intents", help="an intent set (YAML) to run instead")
    evaluate.add_argument(
        "--ablation", action="store_true", help="retrain the answer decision adding one feature group at a time"
    )
    evaluate.add_argument("-v", "--verbose", action="store_true", help="list every miss (never of the held-out suite)")
    evaluate.add_argument(
        "--unseen",
        action="store_true",
        help="measure each suite with a re-ranker trained without its answer set (which it otherwise learns from)",
    )
    evaluate.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 below the lines: 93%% right passage, 95%% declines, 87%% 'does not say', "
        "at most 2%% flows unasked, 95%% intents, 98%% told in their language",
    )
    evaluate.set_defaults(func=cmd_eval)

    purge_cmd = sub.add_parser(
        "purge", help="apply the retention policy (anonymise old closed tickets, delete old transcripts)"
    )
    purge_cmd.add_argument("--dry-run", action="store_true", help="report what would be purged, change nothing")
    purge_cmd.add_argument(
        "--tickets-days",
        type=_days,
        help="anonymise tickets closed more than N days ago (default PURGE_TICKETS_AFTER_DAYS)",
    )
    purge_cmd.add_argument(
        "--transcripts-days",
        type=_days,
        help="delete conversations idle more than N days (default PURGE_TRANSCRIPTS_AFTER_DAYS)",
    )
    purge_cmd.set_defaults(func=cmd_purge)

    # Channel and operations commands register themselves below, one line each.
    slack_cli.add_command(sub)
    console_cli.add_command(sub)
    knowledge_cli.add_command(sub)
    return parser


def main(argv: list[str] | None, wiring: Wiring) -> int:
    """Run one command; `wiring` comes from the composition root (app.main)."""
    args = build_parser().parse_args(argv)
    args.wiring = wiring
    configure_logging("WARNING", fmt="text")
    try:
        return int(args.func(args) or 0)
    except ConfigurationError as exc:  # e.g. LLM_MODEL names a provider that is not installed
        print(f"privacy-bot: configuration error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
