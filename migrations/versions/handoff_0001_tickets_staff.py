"""handoff: staff accounts, console sessions, login throttle, tickets and transcripts

Revision ID: handoff_0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "handoff_0001"
down_revision = None
branch_labels = ("handoff",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_staff",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(length=64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "handoff_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("handoff_staff.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "handoff_login_throttle",
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("handoff_staff.id"), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("callback_after", sa.DateTime(), nullable=True),
    )
    op.create_index(
        "ix_handoff_tickets_conversation", "handoff_tickets", ["conversation_id", "status"]
    )
    op.create_index(
        "ix_handoff_tickets_status_created", "handoff_tickets", ["status", "created_at"]
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.Integer(),
            sa.ForeignKey("handoff_tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("handoff_staff.id"), nullable=True),
        sa.Column("delivered", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_handoff_messages_ticket_id", "handoff_messages", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_messages_ticket_id", table_name="handoff_messages")
    op.drop_table("handoff_messages")
    op.drop_index("ix_handoff_tickets_status_created", table_name="handoff_tickets")
    op.drop_index("ix_handoff_tickets_conversation", table_name="handoff_tickets")
    op.drop_table("handoff_tickets")
    op.drop_table("handoff_login_throttle")
    op.drop_table("handoff_sessions")
    op.drop_table("handoff_staff")
