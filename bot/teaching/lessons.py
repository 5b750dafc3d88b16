"""Teaching: a group of questions becomes hints of a passage or topics the statement does not
cover, or is dismissed; each action is audited, can be undone, and bumps the knowledge version
that every process polls (`refresh`). Export and import use the format of `knowledge/hints.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, TransitionRefused
from bot.store.models import AskedQuestion, KnowledgeEvent, KnowledgeVersion, Lesson, TaughtItem
from bot.teaching.masking import mask_personal
from knowledge.taught import TaughtEntry

KINDS = ("hint", "not_covered", "dismissed")
NOT_COVERED_KEY = "not_covered"  # the export's key for topics the statement does not cover
MAX_ITEM_CHARS = 500
MAX_IMPORT_ITEMS = 5000
EXPORT_HEADER = (
    "# Taught in the console of the privacy helpdesk. Passage ids as in knowledge/hints.yaml: fold\n"
    "# those lists into it; the not_covered list belongs with UNANSWERED_TOPICS in knowledge/ingest.py.\n"
)


def current_version(session: Session) -> int:
    row = session.get(KnowledgeVersion, 1)
    return row.version if row is not None else 0


def bump_version(session: Session, *, now: datetime) -> None:
    """One more change of taught knowledge (an atomic increment; every process reloads)."""
    changed = session.exec(
        update(KnowledgeVersion)
        .where(col(KnowledgeVersion.id) == 1)
        .values(version=KnowledgeVersion.version + 1, updated_at=now)
    ).rowcount
    if not changed:
        session.add(KnowledgeVersion(id=1, version=1, updated_at=now))


def taught_entries(session: Session) -> list[TaughtEntry]:
    """Every active taught item, oldest first."""
    rows = session.exec(select(TaughtItem).where(col(TaughtItem.active).is_(True)).order_by(col(TaughtItem.id)))
    return [TaughtEntry(int(r.id or 0), r.kind, r.text, r.passage_id) for r in rows]  # type: ignore[arg-type]


def _clean(text: str) -> str:
    return " ".join(mask_personal(str(text)).split())[:MAX_ITEM_CHARS]


def _event(session: Session, *, actor: str, action: str, lesson: Lesson, now: datetime, **detail: Any) -> None:
    session.add(KnowledgeEvent(at=now, actor=actor, action=action, lesson_id=lesson.id, detail=detail))


def _new_lesson(
    session: Session, *, kind: str, passage_id: str | None, texts: Iterable[str], actor: str, now: datetime, source: str
) -> tuple[Lesson, list[str]]:
    lesson = Lesson(kind=kind, passage_id=passage_id, source=source, created_by=actor, created_at=now)
    session.add(lesson)
    session.flush()
    assert lesson.id is not None
    items: list[str] = []
    if kind != "dismissed":
        active = {t.lower() for t in _active_texts(session, kind, passage_id)}
        for text in texts:
            cleaned = _clean(text)
            if cleaned and cleaned.lower() not in active:
                active.add(cleaned.lower())
                items.append(cleaned)
                session.add(
                    TaughtItem(lesson_id=lesson.id, kind=kind, passage_id=passage_id, text=cleaned, created_at=now)
                )
    return lesson, items


def _active_texts(session: Session, kind: str, passage_id: str | None) -> list[str]:
    query = select(TaughtItem.text).where(col(TaughtItem.active).is_(True), TaughtItem.kind == kind)
    if kind == "hint":
        query = query.where(TaughtItem.passage_id == passage_id)
    return list(session.exec(query))


def teach(
    session: Session,
    *,
    question_ids: Iterable[int],
    kind: str,
    actor: str,
    now: datetime,
    passage_id: str | None = None,
    passage_exists: Callable[[str], bool] = lambda _: True,
) -> Lesson:
    """Act on a group: its questions become hints of `passage_id` ("hint"), topics the statement
    does not cover ("not_covered"), or are set aside ("dismissed"). They leave the Knowledge page."""
    if kind not in KINDS:
        raise InvalidInput(f"Choose one of: {', '.join(KINDS)}.")
    if kind == "hint" and not (passage_id and passage_exists(passage_id)):
        raise InvalidInput("Choose the passage of the statement that answers these questions.")
    ids = sorted({int(i) for i in question_ids})[:MAX_IMPORT_ITEMS]
    questions = list(
        session.exec(
            select(AskedQuestion).where(col(AskedQuestion.id).in_(ids), col(AskedQuestion.lesson_id).is_(None))
        )
    )
    if not questions:
        raise TransitionRefused("These questions have already been handled (or were purged). Reload the page.")
    lesson, items = _new_lesson(
        session,
        kind=kind,
        passage_id=passage_id if kind == "hint" else None,
        texts=(q.question for q in questions),
        actor=actor,
        now=now,
        source="console",
    )
    for question in questions:
        question.lesson_id = lesson.id
        session.add(question)
    action = "dismiss" if kind == "dismissed" else f"teach_{kind}"
    _event(
        session,
        actor=actor,
        action=action,
        lesson=lesson,
        now=now,
        passage_id=passage_id,
        questions=len(questions),
        items=items,
    )
    if items:
        bump_version(session, now=now)
    return lesson


def undo(session: Session, *, lesson_id: int, actor: str, now: datetime) -> Lesson:
    """Take a lesson back: its items stop counting and its questions return to the Knowledge page."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise InvalidInput("No such change.")
    if lesson.undone_at is not None:
        raise TransitionRefused("That change has already been undone.")
    lesson.undone_at, lesson.undone_by = now, actor
    session.add(lesson)
    session.exec(update(TaughtItem).where(col(TaughtItem.lesson_id) == lesson_id).values(active=False))
    session.exec(update(AskedQuestion).where(col(AskedQuestion.lesson_id) == lesson_id).values(lesson_id=None))
    _event(session, actor=actor, action="undo", lesson=lesson, now=now, kind=lesson.kind, passage_id=lesson.passage_id)
    if lesson.kind != "dismissed":
        bump_version(session, now=now)
    return lesson


def recent_lessons(session: Session, *, limit: int = 30) -> list[tuple[Lesson, list[str]]]:
    """The latest teaching actions with their items, newest first (for the page and its undo)."""
    lessons = list(session.exec(select(Lesson).order_by(col(Lesson.id).desc()).limit(limit)))
    ids = [lesson.id for lesson in lessons]
    items: dict[int, list[str]] = {}
    for item in session.exec(select(TaughtItem).where(col(TaughtItem.lesson_id).in_(ids)).order_by(col(TaughtItem.id))):
        items.setdefault(item.lesson_id, []).append(item.text)
    return [(lesson, items.get(int(lesson.id or 0), [])) for lesson in lessons]


def knowledge_events(session: Session, *, limit: int = 100) -> list[KnowledgeEvent]:
    """The audit trail of teaching, newest first."""
    return list(session.exec(select(KnowledgeEvent).order_by(col(KnowledgeEvent.id).desc()).limit(limit)))


def export_yaml(session: Session) -> str:
    """The active taught items as YAML: passage id → hints, then `not_covered` → topics."""
    data: dict[str, list[str]] = {}
    topics: list[str] = []
    for entry in taught_entries(session):
        if entry.kind == "hint" and entry.passage_id:
            data.setdefault(entry.passage_id, []).append(entry.text)
        elif entry.kind == "not_covered":
            topics.append(entry.text)
    ordered = dict(sorted(data.items()))
    if topics:
        ordered[NOT_COVERED_KEY] = topics
    if not ordered:
        return EXPORT_HEADER + "{}\n"
    return EXPORT_HEADER + yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=200)


def parse_taught(text: str, *, passage_exists: Callable[[str], bool]) -> dict[str, list[str]]:
    """The items of an exported file, checked: passage ids that exist (or `not_covered`) → texts."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The file is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("The file must map passage ids (and not_covered) to lists of questions.")
    parsed: dict[str, list[str]] = {}
    count = 0
    for key, values in data.items():
        key = str(key)
        if key != NOT_COVERED_KEY and not passage_exists(key):
            raise InvalidInput(f"{key!r} is not a passage of the statement.")
        if not isinstance(values, list) or not all(isinstance(v, str | int | float) for v in values):
            raise InvalidInput(f"{key!r} must list questions, one per line.")
        count += len(values)
        if count > MAX_IMPORT_ITEMS:
            raise InvalidInput(f"At most {MAX_IMPORT_ITEMS} items can be imported at once.")
        parsed[key] = [str(v) for v in values]
    return parsed


def import_taught(session: Session, parsed: dict[str, list[str]], *, actor: str, now: datetime) -> int:
    """Teach what `parse_taught` read (items already taught are skipped); returns how many were added."""
    added = 0
    for key, texts in parsed.items():
        kind, passage = ("not_covered", None) if key == NOT_COVERED_KEY else ("hint", key)
        lesson, items = _new_lesson(
            session, kind=kind, passage_id=passage, texts=texts, actor=actor, now=now, source="import"
        )
        _event(session, actor=actor, action="import", lesson=lesson, now=now, passage_id=passage, items=items)
        added += len(items)
    if added:
        bump_version(session, now=now)
    return added
