"""security: per-ticket transcripts and the sign-in throttle (issue 12)

Revision ID: 0002_security
Revises: 0001

ticket_turn: each ticket keeps the turns of its own flow. Existing tickets get their share of their conversation's turns: those up to the moment they were
filed and after the previous ticket filed in the same conversation (a Slack DM holds them all).
sign_in_throttle: failed console sign-ins per account, for the growing delay.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_security"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_turn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_turn", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_turn_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_turn_turn_id"), ["turn_id"], unique=False)
    _copy_existing_transcripts()
    op.create_table(
        "sign_in_throttle",
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )


def _copy_existing_transcripts() -> None:
    connection = op.get_bind()
    tickets = connection.execute(
        sa.text(
            "SELECT id, session_id, received_at FROM ticket WHERE session_id IS NOT NULL "
            "ORDER BY session_id, received_at, id"
        )
    ).all()
    previous: dict[str, object] = {}
    for ticket_id, session_id, received_at in tickets:
        since = previous.get(session_id)
        condition = "session_id = :sid AND created_at <= :until" + (" AND created_at > :since" if since else "")
        connection.execute(
            sa.text(
                "INSERT INTO ticket_turn (ticket_id, turn_id, role, text, payload, created_at) "
                f"SELECT :ticket, id, role, text, payload, created_at FROM turn WHERE {condition} ORDER BY id"
            ),
            {"ticket": ticket_id, "sid": session_id, "until": received_at, "since": since},
        )
        previous[session_id] = received_at


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("ticket_turn", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_turn_turn_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_turn_ticket_id"))
    op.drop_table("ticket_turn")
