"""casework: messages with the requester, deadline reminders, the digest, exports (issue 15)

Revision ID: 0003_casework
Revises: 0002_security

ticket_message: the privacy team's messages to the requester and the requester's answers.
ticket.awaiting_requester_since: a question waits for the requester (the due date does not move).
deadline_reminder, daily_digest: what the scheduler sent, each once (unique keys); scheduler_lease:
which process runs it. export_file: the files that answer access and portability requests.
agent.digest_opt_in: admins who get the daily digest by e-mail.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_casework"
down_revision = "0002_security"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "ticket_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("direction", _TEXT(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", _TEXT(length=8), nullable=False),
        sa.Column("expects_reply", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("seen_in_chat_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_message_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "deadline_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("threshold", _TEXT(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "threshold", "due_date", name="uq_deadline_reminder"),
    )
    with op.batch_alter_table("deadline_reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_reminder_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "daily_digest",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "scheduler_lease",
        sa.Column("name", _TEXT(length=32), nullable=False),
        sa.Column("holder", _TEXT(length=64), nullable=False),
        sa.Column("lease_until", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )

    op.create_table(
        "export_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("link_hash", _TEXT(length=64), nullable=False),
        sa.Column("stored_name", _TEXT(length=64), nullable=False),
        sa.Column("content_type", _TEXT(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", _TEXT(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.Column("revoked_at", _TIME(), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.Column("deleted_at", _TIME(), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("last_downloaded_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["revoked_by"], ["agent.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("export_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_file_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_file_link_hash"), ["link_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_export_file_ticket_id"), ["ticket_id"], unique=False)

    with op.batch_alter_table("agent", schema=None) as batch_op:
        # Existing accounts start without the digest.
        batch_op.add_column(sa.Column("digest_opt_in", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting_requester_since", _TIME(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("awaiting_requester_since")
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("digest_opt_in")
    with op.batch_alter_table("export_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_file_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_export_file_link_hash"))
        batch_op.drop_index(batch_op.f("ix_export_file_expires_at"))
    op.drop_table("export_file")
    op.drop_table("scheduler_lease")
    op.drop_table("daily_digest")
    with op.batch_alter_table("deadline_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_reminder_ticket_id"))
    op.drop_table("deadline_reminder")
    with op.batch_alter_table("ticket_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_message_ticket_id"))
    op.drop_table("ticket_message")
