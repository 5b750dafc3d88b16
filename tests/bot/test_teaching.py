"""Teaching, below the console: masking, grouping by meaning, lessons and their undo, export and
import, retention, the migration, and what the answerer does with taught items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, col, select

from bot.cases.purge import RetentionPolicy, purge
from bot.errors import InvalidInput, TransitionRefused
from bot.store.db import Database
from bot.store.models import AnswerFeedback, AskedQuestion, KnowledgeEvent, TaughtItem
from bot.teaching.feedback import record_question, vote
from bot.teaching.groups import Miss, group_misses
from bot.teaching.lessons import current_version, export_yaml, import_taught, parse_taught, taught_entries, teach, undo
from bot.teaching.masking import mask_personal
from bot.types import Citation
from knowledge.statement import load_statement
from knowledge.taught import TaughtEntry

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
STATEMENT = load_statement()


def _exists(passage_id: str) -> bool:
    return STATEMENT.passage(passage_id) is not None


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


def _ask(db: Database, question: str, *, outcome: str = "declined", at: datetime = NOW, channel: str = "web") -> int:
    with db.write() as session:
        row = record_question(
            session,
            session_id="s-" + question[:20],
            turn_id=1,
            channel=channel,
            question=question,
            outcome=outcome,
            citations=[Citation("4", "Retention", "kept as long as needed")] if outcome == "answered" else [],
            at=at,
        )
        assert row.id is not None
        return row.id


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("my email is alice.smith+x@example.co.uk, delete it", "my email is [email], delete it"),
        ("write to bob (at) kone.com please", "write to [email] please"),
        ("call me on +358 40 123 4567 tomorrow", "call me on [phone] tomorrow"),
        ("my number: (040) 123-45-67", "my number: [phone]"),
        ("kept since 2026-03-10 for 90 days, section 4", "kept since 2026-03-10 for 90 days, section 4"),
        ("reference PRV-AB12-CD34", "reference PRV-AB12-CD34"),
    ],
)
def test_emails_and_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal(text) == masked


def test_an_email_typed_into_a_question_never_reaches_a_hint(db: Database) -> None:
    first = _ask(db, "can alice@example.com reach the privacy team by phone +44 20 7946 0958?")
    second = _ask(db, "how do I reach the privacy team, I am bob@example.org")
    with db.read() as session:
        stored = [q.question for q in session.exec(select(AskedQuestion))]
    assert all("@" not in q and "7946" not in q for q in stored)
    with db.write() as session:
        teach(session, question_ids=[first, second], kind="hint", passage_id="s1-p01", actor="agent:a@x", now=NOW)
    with db.read() as session:
        hints = [e.text for e in taught_entries(session)]
        exported = export_yaml(session)
        audit = session.exec(select(KnowledgeEvent)).all()
    assert hints and all("@" not in h and "example" not in h and "7946" not in h for h in hints)
    assert "@" not in exported and "example.com" not in exported
    assert all("@" not in str(event.detail) for event in audit)


def test_teaching_bumps_the_version_and_undo_takes_it_back(db: Database) -> None:
    ids = [_ask(db, "do you share my data with my employer's IT team"), _ask(db, "is my data shared with IT")]
    with db.read() as session:
        start = current_version(session)
    with db.write() as session:
        lesson = teach(session, question_ids=ids, kind="not_covered", actor="agent:a@x", now=NOW)
        lesson_id = lesson.id
    with db.read() as session:
        assert current_version(session) == start + 1
        assert [e.kind for e in taught_entries(session)] == ["not_covered", "not_covered"]
        assert session.exec(select(AskedQuestion).where(col(AskedQuestion.lesson_id).is_(None))).all() == []
    with db.write() as session, pytest.raises(TransitionRefused):
        teach(session, question_ids=ids, kind="dismissed", actor="agent:a@x", now=NOW)  # handled already
    assert lesson_id is not None
    with db.write() as session:
        undo(session, lesson_id=lesson_id, actor="agent:b@x", now=NOW)
    with db.read() as session:
        assert current_version(session) == start + 2
        assert taught_entries(session) == []
        back = session.exec(select(AskedQuestion).where(col(AskedQuestion.lesson_id).is_(None))).all()
        assert len(back) == 2  # on the Knowledge page again
        actions = [e.action for e in session.exec(select(KnowledgeEvent).order_by(col(KnowledgeEvent.id)))]
    assert actions == ["teach_not_covered", "undo"]
    with db.write() as session, pytest.raises(TransitionRefused):
        undo(session, lesson_id=lesson_id, actor="agent:b@x", now=NOW)


def test_a_hint_needs_a_passage_that_exists(db: Database) -> None:
    ids = [_ask(db, "what is the weather like")]
    with db.write() as session, pytest.raises(InvalidInput):
        teach(session, question_ids=ids, kind="hint", passage_id="s99-p00", actor="x", now=NOW, passage_exists=_exists)


def test_export_and_import_round_trip(db: Database, database_url: str, tmp_path: Any) -> None:
    hinted = [_ask(db, "who answers privacy questions at KONE"), _ask(db, "who answers privacy questions at kone?")]
    topic = [_ask(db, "do you use my data to train AI chat bots")]
    with db.write() as session:
        teach(session, question_ids=hinted, kind="hint", passage_id="s1-p01", actor="agent:a@x", now=NOW)
        teach(session, question_ids=topic, kind="not_covered", actor="agent:a@x", now=NOW)
    with db.read() as session:
        exported = export_yaml(session)
    data = yaml.safe_load(exported)
    assert data == {
        "s1-p01": ["who answers privacy questions at KONE", "who answers privacy questions at kone?"],
        "not_covered": ["do you use my data to train AI chat bots"],
    }
    # The hints part has the format of knowledge/hints.yaml: KnowledgeSource accepts it.
    from knowledge.ingest import KnowledgeSource

    hints_file = tmp_path / "hints.yaml"
    hints_file.write_text(yaml.safe_dump({k: v for k, v in data.items() if k != "not_covered"}))
    assert KnowledgeSource.load(hints_path=hints_file).hints["s1-p01"] == data["s1-p01"]

    other = Database(f"sqlite:///{tmp_path}/other.db")
    other.migrate()
    try:
        parsed = parse_taught(exported, passage_exists=_exists)
        with other.write() as session:
            assert import_taught(session, parsed, actor="cli", now=NOW) == 3
        with other.write() as session:  # importing again adds nothing
            assert import_taught(session, parsed, actor="cli", now=NOW) == 0
        with other.read() as session:
            assert yaml.safe_load(export_yaml(session)) == data
            assert current_version(session) == 1
    finally:
        other.dispose()


@pytest.mark.parametrize(
    "text", ["[not, a, mapping]", "s99-p00:\n  - a question\n", "s1-p01: just text\n", "s1-p01: [ {a: 1} ]\n", "a: [b"]
)
def test_import_refuses_what_is_not_a_taught_file(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_taught(text, passage_exists=_exists)


def test_near_identical_questions_form_one_group(embeddings: Any) -> None:
    at = NOW
    questions = [
        "Can I bring my dog to the KONE office?",
        "can i bring my dog to the kone office",
        "Can I bring my dog into the KONE office?",
        "What's the weather in Helsinki tomorrow?",
    ]
    misses = [Miss(i, q, "web", at + timedelta(minutes=i), True, None) for i, q in enumerate(questions)]
    groups = group_misses(misses, embeddings.embed_documents)
    assert [g.count for g in groups] == [3, 1]
    assert sorted(groups[0].ids) == [0, 1, 2]
    assert groups[0].first_seen == at and groups[0].last_seen == at + timedelta(minutes=2)
    assert groups[1].examples == ["What's the weather in Helsinki tomorrow?"]


def test_stored_questions_and_votes_follow_transcript_retention_and_hints_stay(db: Database) -> None:
    old = _ask(db, "old question about pets", at=NOW - timedelta(days=100))
    recent = _ask(db, "recent question about pets", outcome="answered")
    with db.write() as session:
        vote(session, question_id=old, helpful=False, channel="web", now=NOW - timedelta(days=100))
        vote(session, question_id=recent, helpful=True, channel="web", now=NOW)
        teach(session, question_ids=[old], kind="not_covered", actor="agent:a@x", now=NOW - timedelta(days=99))
    policy = RetentionPolicy(timedelta(days=1000), timedelta(days=90), timedelta(days=1))
    with db.write() as session:
        report = purge(session, now=NOW, policy=policy)
    assert report.questions_deleted == 1
    with db.read() as session:
        assert [q.id for q in session.exec(select(AskedQuestion))] == [recent]
        assert [v.question_id for v in session.exec(select(AnswerFeedback))] == [recent]
        assert [t.text for t in session.exec(select(TaughtItem))] == ["old question about pets"]


def test_the_migration_matches_the_models_and_goes_down_and_up(db: Database) -> None:
    mine = {"asked_question", "answer_feedback", "lesson", "taught_item", "knowledge_event", "knowledge_version"}
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)

    assert [c for c in diff if any(name in str(c) for name in (*mine, "can_teach"))] == []
    from alembic import command
    from alembic.config import Config

    from bot.store.db import MIGRATIONS_DIR

    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003_casework")
    db.migrate()
    with db.read() as session:
        assert current_version(session) == 0


def test_the_answerer_answers_a_taught_question_with_its_passage(understanding: Any) -> None:
    knowledge, _, answerer = understanding
    question = "Can I bring my dog to the KONE office?"
    assert answerer.answer(question).outcome == "declined"
    try:
        knowledge.taught.load([TaughtEntry(1, "hint", question, "s1-p01")], version=10_001)
        taught = answerer.answer("can I bring my dog to the KONE office")
        assert taught.outcome == "answered"
        assert taught.citations[0].section == "1"
        assert STATEMENT.passage("s1-p01").text in taught.citations[0].quote  # type: ignore[union-attr]
        knowledge.taught.load([TaughtEntry(2, "not_covered", question, None)], version=10_002)
        told = answerer.answer(question)
        assert told.outcome == "not_stated" and "doesn't say" in told.text
        assert answerer.answer("How long do you keep my data?").outcome == "answered"  # the rest is untouched
    finally:
        knowledge.taught.load([], version=-1)
    assert answerer.answer(question).outcome == "declined"


def test_weekly_rates_count_questions_declines_and_votes_per_week(db: Database) -> None:
    from bot.teaching.groups import MissFilter, weekly_rates

    monday = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    first = [_ask(db, f"q{n}", outcome="answered", at=monday) for n in range(3)]
    _ask(db, "declined one", at=monday + timedelta(days=2))
    second = _ask(db, "next week", outcome="answered", at=monday + timedelta(days=7), channel="slack")
    with db.write() as session:
        vote(session, question_id=first[0], helpful=True, channel="web", now=monday)
        vote(session, question_id=first[1], helpful=False, channel="web", now=monday)
        vote(session, question_id=second, helpful=True, channel="slack", now=monday + timedelta(days=7))
    with db.read() as session:
        weeks = weekly_rates(session, MissFilter(days=30), today=NOW.date())
        slack_only = weekly_rates(session, MissFilter(days=30, channel="slack"), today=NOW.date())
    by_week = {w.week.isoformat(): w for w in weeks}
    assert (by_week["2026-03-02"].questions, by_week["2026-03-02"].declined) == (4, 1)
    assert by_week["2026-03-02"].decline_rate == 0.25 and by_week["2026-03-02"].helpful_rate == 0.5
    assert by_week["2026-03-09"].helpful_rate == 1.0 and by_week["2026-03-09"].decline_rate == 0.0
    assert by_week["2026-02-09"].decline_rate is None  # a week without questions has no rate
    assert [(w.questions, w.votes) for w in slack_only if w.questions] == [(1, 1)]


def test_the_knowledge_page_embeds_each_question_once_per_process() -> None:
    from bot.teaching.groups import CachedEmbed

    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        return [[float(len(t)), 1.0] for t in texts]

    cached = CachedEmbed(embed, size=3)
    assert cached(["ab", "abc", "ab"]) == [[2.0, 1.0], [3.0, 1.0], [2.0, 1.0]]
    assert cached(["abc", "abcd"]) == [[3.0, 1.0], [4.0, 1.0]]
    assert calls == [["ab", "abc"], ["abcd"]]  # known texts are not embedded again
    cached(["x", "y"])  # the bound holds: the least recently used text goes first
    assert cached(["ab"]) == [[2.0, 1.0]] and calls[-1] == ["ab"]
