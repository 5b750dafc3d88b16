"""Migration 0002: tickets filed before it get their own share of their conversation's turns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from bot.store.conversations import ticket_transcript
from bot.store.db import MIGRATIONS_DIR, Database

START = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def test_existing_tickets_split_their_shared_conversation(database_url: str) -> None:
    db = Database(database_url)
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    turns = [
        ("user", "delete my data", START),
        ("bot", "Filed PRV-OLD1-AAAA", START + timedelta(minutes=1)),
        ("user", "what about cookies?", START + timedelta(minutes=5)),
        ("user", "talk to a person", START + timedelta(minutes=6)),
        ("bot", "Filed PRV-OLD2-BBBB", START + timedelta(minutes=7)),
        ("user", "thanks, bye", START + timedelta(minutes=9)),
    ]
    with db.engine.begin() as conn:
        for role, body, at in turns:
            conn.execute(
                text("INSERT INTO turn (session_id, role, text, payload, created_at) VALUES ('dm', :r, :t, '{}', :a)"),
                {"r": role, "t": body, "a": at},
            )
        for reference, received in (("PRV-OLD1-AAAA", turns[1][2]), ("PRV-OLD2-BBBB", turns[4][2])):
            conn.execute(
                text(
                    "INSERT INTO ticket (reference, type, status, channel, verified_via, verified_at, received_at, "
                    "due_date, details, session_id, updated_at) VALUES (:ref, 'deletion', 'open', 'slack', 'slack', "
                    ":at, :at, :due, '{}', 'dm', :at)"
                ),
                {"ref": reference, "at": received, "due": (received + timedelta(days=30)).date()},
            )
    db.migrate()  # to head
    with db.read() as session:
        ids = [row[0] for row in session.exec(text("SELECT id FROM ticket ORDER BY id"))]  # type: ignore[call-overload]
        first, second = ([t.text for t in ticket_transcript(session, i)] for i in ids)
    db.dispose()
    assert first == ["delete my data", "Filed PRV-OLD1-AAAA"]
    assert second == ["what about cookies?", "talk to a person", "Filed PRV-OLD2-BBBB"]
