"""What the routes need, read from `request.app.state.services` (built by app.create_app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from bot.access.ratelimit import RateLimiter
from bot.cases.emails import MailTemplates
from bot.cases.scheduler import Scheduler
from bot.conversation.engine import Engine
from bot.settings import Settings
from bot.store.db import Database
from bot.store.outbox import OutboxWorker
from bot.teaching.refresh import KnowledgeRefresher
from knowledge.service import KnowledgeBase


@dataclass
class Services:
    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    engine: Engine
    outbox: OutboxWorker
    limiter: RateLimiter
    clock: Callable[[], datetime]
    db_ready: bool = False
    metrics: Any = None  # handlers.ops.metrics.Metrics when METRICS is on
    scheduler: Scheduler | None = None  # reminders and the digest (started with the app)
    mail: MailTemplates | None = None  # the requester e-mails' templates (previews in the console)
    refresher: KnowledgeRefresher | None = None  # taught knowledge, polled (started with the app)
    extras: dict[str, Any] = field(default_factory=dict)  # channel-specific parts (Slack app, ...)
    closers: list[Callable[[], None]] = field(default_factory=list)  # run at shutdown (what was built here)


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def client_key(request: Request) -> str:
    """Who a rate limit counts against: the peer address (the proxy sets it right, see README)."""
    return request.client.host if request.client else "unknown"
