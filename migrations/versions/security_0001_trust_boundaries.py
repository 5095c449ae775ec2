"""security: replay guard, lookup budgets, console access log, longer outbox ids (issue 12)

Revision ID: security_0001
Revises:
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "security_0001"
down_revision = None
branch_labels = ("security",)
depends_on = ("cases_0001", "channels_0001", "handoff_0001")


def upgrade() -> None:
    op.create_table(
        "channel_replay_guard",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("message_key", sa.String(255), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_channel_replay_guard_seen_at", "channel_replay_guard", ["seen_at"])
    op.create_table(
        "case_lookup_budget",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("kind", "key", name="uq_case_lookup_budget_key"),
    )
    op.create_table(
        "handoff_access_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("handoff_staff.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(500), nullable=False),
    )
    op.create_index("ix_handoff_access_log_at", "handoff_access_log", ["at"])
    # Qualified conversation ids ("rest:" + a sender of up to 200 characters).
    with op.batch_alter_table("channel_outbox") as batch:
        batch.alter_column("conversation_id", type_=sa.String(255), existing_type=sa.String(128))


def downgrade() -> None:
    with op.batch_alter_table("channel_outbox") as batch:
        batch.alter_column("conversation_id", type_=sa.String(128), existing_type=sa.String(255))
    op.drop_index("ix_handoff_access_log_at", table_name="handoff_access_log")
    op.drop_table("handoff_access_log")
    op.drop_table("case_lookup_budget")
    op.drop_index("ix_channel_replay_guard_seen_at", table_name="channel_replay_guard")
    op.drop_table("channel_replay_guard")
