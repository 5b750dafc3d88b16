"""knowledge: questions asked, votes on answers, taught knowledge and its audit (issue 14)

Revision ID: 0004_knowledge
Revises: 0003_casework

asked_question: every answered, "does not say" and declined question (personal data masked), with
what was quoted; answer_feedback: one vote per answer. lesson / taught_item: what an editor taught
(hints of a passage, topics the statement does not cover, dismissed groups); knowledge_event: who
taught or undid what; knowledge_version: the counter processes poll to reload taught knowledge.
agent.can_teach: the "knowledge" permission for agents.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_knowledge"
down_revision = "0003_casework"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "lesson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(length=16), nullable=False),
        sa.Column("passage_id", _TEXT(length=32), nullable=True),
        sa.Column("source", _TEXT(length=16), nullable=False),
        sa.Column("created_by", _TEXT(length=340), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("undone_by", _TEXT(length=340), nullable=True),
        sa.Column("undone_at", _TIME(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "asked_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", _TEXT(length=64), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("channel", _TEXT(length=8), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("outcome", _TEXT(length=16), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("asked_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asked_question_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_asked_question_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asked_question_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_asked_question_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asked_question_turn_id"), ["turn_id"], unique=False)
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("channel", _TEXT(length=8), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["asked_question.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_feedback_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_feedback_question_id"), ["question_id"], unique=True)
    op.create_table(
        "taught_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(length=16), nullable=False),
        sa.Column("passage_id", _TEXT(length=32), nullable=True),
        sa.Column("text", _TEXT(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("taught_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taught_item_active"), ["active"], unique=False)
        batch_op.create_index(batch_op.f("ix_taught_item_lesson_id"), ["lesson_id"], unique=False)
    op.create_table(
        "knowledge_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _TIME(), nullable=False),
        sa.Column("actor", _TEXT(length=340), nullable=False),
        sa.Column("action", _TEXT(length=32), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knowledge_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_event_lesson_id"), ["lesson_id"], unique=False)
    version = op.create_table(
        "knowledge_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one row every change increments (so no two first changes race to create it).
    op.bulk_insert(version, [{"id": 1, "version": 0, "updated_at": datetime(2026, 1, 1, tzinfo=UTC)}])
    with op.batch_alter_table("agent", schema=None) as batch_op:
        # Existing agents start without the permission; admins hold it by their role.
        batch_op.add_column(sa.Column("can_teach", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("can_teach")
    op.drop_table("knowledge_version")
    with op.batch_alter_table("knowledge_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_event_lesson_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_event_at"))
    op.drop_table("knowledge_event")
    with op.batch_alter_table("taught_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taught_item_lesson_id"))
        batch_op.drop_index(batch_op.f("ix_taught_item_active"))
    op.drop_table("taught_item")
    with op.batch_alter_table("answer_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_feedback_question_id"))
        batch_op.drop_index(batch_op.f("ix_answer_feedback_created_at"))
    op.drop_table("answer_feedback")
    with op.batch_alter_table("asked_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asked_question_turn_id"))
        batch_op.drop_index(batch_op.f("ix_asked_question_session_id"))
        batch_op.drop_index(batch_op.f("ix_asked_question_outcome"))
        batch_op.drop_index(batch_op.f("ix_asked_question_lesson_id"))
        batch_op.drop_index(batch_op.f("ix_asked_question_created_at"))
    op.drop_table("asked_question")
    op.drop_table("lesson")
