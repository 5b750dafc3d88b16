"""The Knowledge page: what the bot could not answer, grouped by meaning, and one-click teaching.

Every signed-in agent reads it; teaching, dismissing and undoing need the "knowledge" permission
(admins, and agents an admin gave it), checked here on every POST. The weekly rates are a chart
drawn on the server (SVG, no script) with the same figures in a table.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from bot.access.agents import actor_for, can_edit_knowledge
from bot.errors import Forbidden, InvalidInput
from bot.teaching.groups import (
    CHANNELS,
    PERIODS,
    CachedEmbed,
    MissFilter,
    WeekRate,
    group_misses,
    load_misses,
    weekly_rates,
)
from bot.teaching.lessons import MAX_IMPORT_ITEMS, knowledge_events, recent_lessons, teach, undo
from handlers.console.auth import ConsoleUser, ConsoleUserDep, FormUserDep
from handlers.console.charts import LEFT, RIGHT, TOP, WIDE, Bar, Chart, Tick
from handlers.console.render import NO_STORE, ConsolePageRoute, page
from handlers.deps import Services, ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsolePageRoute, include_in_schema=False)
MAX_GROUPS = 40
NOT_ALLOWED = "Teaching the bot needs the knowledge permission. Ask an admin if you need it."
DONE = {
    "hint": "Taught: these questions are now answered with the passage you chose, in every process within seconds.",
    "not_covered": "Taught: the bot now says the statement does not cover these questions.",
    "dismissed": "Dismissed: the group is off the list.",
    "undone": "Undone: the change no longer applies and its questions are back on the list.",
}
BOTTOM_MARGIN = 40


def miss_filter(params: Mapping[str, str]) -> MissFilter:
    """The filter from the query string (`channel`, `days`); anything unknown means the default."""
    channel = params.get("channel") or None
    try:
        days = int(params.get("days") or 30)
    except ValueError:
        days = 30
    return MissFilter(days=days if days in PERIODS else 30, channel=channel if channel in CHANNELS else None)


def rates_chart(weeks: list[WeekRate]) -> Chart:
    """Helpful rate and decline rate per week, side by side, in percent."""
    width, height = WIDE
    bottom = height - BOTTOM_MARGIN
    scale = (bottom - TOP) / 100
    slot = (width - LEFT - RIGHT) / max(len(weeks), 1)
    bar_width = max(3.0, slot * 0.35)
    bars, labels = [], []
    every = max(1, -(-len(weeks) // 8))
    for i, week in enumerate(weeks):
        x = LEFT + i * slot + slot * 0.15
        for j, (name, rate, css) in enumerate(
            (("helpful", week.helpful_rate, "bar--helpful"), ("declined", week.decline_rate, "bar--declined"))
        ):
            if rate is None:
                continue
            h = rate * 100 * scale
            label = f"Week of {week.week.isoformat()}: {rate:.0%} {name}"
            bars.append(
                Bar(round(x + j * bar_width, 1), round(bottom - h, 1), round(bar_width, 1), round(h, 1), css, label)
            )
        if i % every == 0:
            labels.append(Tick(round(x + bar_width, 1), week.week.strftime("%d %b")))
    return Chart(
        id="chart-rates",
        title="Helpful rate and decline rate per week",
        description=f"{len(weeks)} weeks; the table below has every figure.",
        bars=bars,
        y_ticks=[Tick(round(bottom - p * scale, 1), f"{p} %") for p in range(0, 101, 25)],
        x_labels=labels,
        width=width,
        height=height,
    )


def _passages(services: Services) -> list[tuple[str, str]]:
    """(id, label) of every passage, for the "answered by" choice."""
    statement = services.knowledge.statement
    out = []
    for section in statement.sections:
        for passage in section.passages:
            text = passage.text if len(passage.text) <= 90 else passage.text[:87] + "…"
            out.append((passage.id, f"{section.label}: {text}"))
    return out


def _knowledge_page(request: Request, services: Services, user: ConsoleUser) -> Response:
    chosen = miss_filter(request.query_params)
    today = services.clock().date()
    with services.db.read() as session:
        misses = load_misses(session, chosen, today=today)
        weeks = weekly_rates(session, chosen, today=today)
        lessons = recent_lessons(session)
        events = knowledge_events(session, limit=30)
    embed = services.extras.setdefault("miss_vectors", CachedEmbed(services.knowledge.embeddings.embed_documents))
    groups = group_misses(misses, embed)[:MAX_GROUPS]
    questions = sum(w.questions for w in weeks)
    declined = sum(w.declined for w in weeks)
    votes = sum(w.votes for w in weeks)
    helpful = sum(w.helpful for w in weeks)
    done = DONE.get(request.query_params.get("done", ""))
    return page(
        request,
        "knowledge.html",
        user=user,
        section="knowledge",
        chosen=chosen,
        periods=PERIODS,
        channels=CHANNELS,
        groups=groups,
        misses=len(misses),
        weeks=weeks,
        chart=rates_chart(weeks),
        totals={"questions": questions, "declined": declined, "votes": votes, "helpful": helpful},
        lessons=lessons,
        events=events,
        passages=_passages(services),
        can_edit=can_edit_knowledge(user.agent),
        done=done,
        back="/console/knowledge?"
        + urlencode({"days": chosen.days, **({"channel": chosen.channel} if chosen.channel else {})}),
    )


@router.get("/console/knowledge")
def knowledge_page(request: Request, services: ServicesDep, user: ConsoleUserDep) -> Response:
    """The misses grouped by meaning, the weekly rates and the latest teaching."""
    return _knowledge_page(request, services, user)


def _editor(user: ConsoleUser) -> ConsoleUser:
    if not can_edit_knowledge(user.agent):
        raise Forbidden(NOT_ALLOWED)
    return user


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput("The group's questions could not be read. Reload the page and try again.") from None
    if not ids or len(ids) > MAX_IMPORT_ITEMS:
        raise InvalidInput("The group's questions could not be read. Reload the page and try again.")
    return ids


def _back(target: str, done: str) -> str:
    base = target if target.startswith("/console/knowledge") and "//" not in target else "/console/knowledge"
    return f"{base}{'&' if '?' in base else '?'}done={done}"


@router.post("/console/knowledge/teach")
def teach_group(
    services: ServicesDep,
    user: FormUserDep,
    ids: Annotated[str, Form(max_length=40_000)] = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    passage_id: Annotated[str, Form(max_length=32)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Point a group at a passage, mark it not covered, or dismiss it."""
    _editor(user)
    statement = services.knowledge.statement
    with services.db.write() as session:
        lesson = teach(
            session,
            question_ids=_ids(ids),
            kind=kind,
            passage_id=passage_id or None,
            actor=actor_for(user.agent),
            now=services.clock(),
            passage_exists=statement.has_passage,
        )
    log.info("knowledge lesson %s (%s) by agent %s", lesson.id, kind, user.agent.id)
    if services.refresher is not None:
        services.refresher.refresh()  # this process at once; the others within their poll
    return RedirectResponse(_back(back, kind), status_code=303, headers=NO_STORE)


@router.post("/console/knowledge/lessons/{lesson_id}/undo")
def undo_lesson(
    lesson_id: int, services: ServicesDep, user: FormUserDep, back: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Take a teaching action back."""
    _editor(user)
    with services.db.write() as session:
        undo(session, lesson_id=lesson_id, actor=actor_for(user.agent), now=services.clock())
    log.info("knowledge lesson %s undone by agent %s", lesson_id, user.agent.id)
    if services.refresher is not None:
        services.refresher.refresh()
    return RedirectResponse(_back(back, "undone"), status_code=303, headers=NO_STORE)
