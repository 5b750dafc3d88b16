"""Liveness and readiness: `GET /livez` (the process answers) and `GET /healthz` (it can serve)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from bot.store.outbox import outbox_backlog
from handlers.deps import Services, ServicesDep

router = APIRouter()

READY_EXAMPLE = {"status": "ok", "database": True, "index": True, "outbox": True}


@router.get("/livez", tags=["ops"], responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
async def livez() -> dict[str, str]:
    """Liveness: 200 whenever the process answers HTTP. Checks no dependency, so a database or
    Chroma outage never gets a healthy process restarted; use it for container health checks."""
    return {"status": "ok"}


@router.get(
    "/healthz",
    tags=["ops"],
    responses={
        200: {"description": "Ready", "content": {"application/json": {"example": READY_EXAMPLE}}},
        503: {"description": "Not ready: the body says which part is not (database, index or outbox)"},
    },
)
async def healthz(services: ServicesDep) -> JSONResponse:
    """Readiness: 200 when this process can serve — the database answers and is migrated, the
    knowledge index is loaded, and the outbox is not stuck (no message has been due for longer
    than OUTBOX_STUCK_MINUTES while this process delivered nothing); 503 otherwise. Use it for
    load balancers and start-up probes."""
    database = services.db_ready and await run_in_threadpool(services.db.ping)
    index = services.knowledge.ready
    outbox = await run_in_threadpool(outbox_flowing, services) if database else False
    ready = database and index and outbox
    body = {"status": "ok" if ready else "unavailable", "database": database, "index": index, "outbox": outbox}
    return JSONResponse(body, status_code=200 if ready else 503)


def outbox_flowing(services: Services) -> bool:
    """False when a message this process could send has been due for too long and this process
    has attempted no delivery for as long (a backlog being worked is not stuck)."""
    minutes = services.settings.OUTBOX_STUCK_MINUTES
    if not minutes:
        return True
    now = services.clock()
    threshold = timedelta(minutes=minutes)
    worker: Any = services.outbox
    try:
        with services.db.read() as session:
            backlog = outbox_backlog(session, now=now, channels=list(worker.senders))
    except Exception:  # the probe answers 503, never 500
        return False
    if backlog.oldest_due is None or now - backlog.oldest_due <= threshold:
        return True
    last = worker.last_attempt_at
    return bool(worker.running and last is not None and now - last <= threshold)
