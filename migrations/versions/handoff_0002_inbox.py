"""handoff: the inbox of missed messages, drafted answers, daily traffic per channel

Revision ID: handoff_0002
Revises: handoff_0001
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "handoff_0002"
down_revision = "handoff_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_drafts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("center", sa.String(length=100), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=True),
        sa.Column(
            "ticket_id",
            sa.Integer(),
            sa.ForeignKey("handoff_tickets.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("reasons", sa.String(length=200), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("label_topic", sa.String(length=64), nullable=True),
        sa.Column("labelled_by", sa.String(length=100), nullable=True),
        sa.Column("labelled_at", sa.DateTime(), nullable=True),
        sa.Column(
            "draft_id",
            sa.Integer(),
            sa.ForeignKey("inbox_drafts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_inbox_messages_conversation_at", "inbox_messages", ["conversation_id", "at"]
    )
    op.create_index("ix_inbox_messages_status_center", "inbox_messages", ["status", "center"])
    op.create_index("ix_inbox_messages_at", "inbox_messages", ["at"])
    op.create_table(
        "inbox_daily_traffic",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("channel", sa.String(length=64), primary_key=True),
        sa.Column("center", sa.String(length=100), primary_key=True),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("fallbacks", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("inbox_daily_traffic")
    op.drop_index("ix_inbox_messages_at", table_name="inbox_messages")
    op.drop_index("ix_inbox_messages_status_center", table_name="inbox_messages")
    op.drop_index("ix_inbox_messages_conversation_at", table_name="inbox_messages")
    op.drop_table("inbox_messages")
    op.drop_table("inbox_drafts")
