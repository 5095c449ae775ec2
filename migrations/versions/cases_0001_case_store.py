"""cases: case store, status history, lookup audit and lockouts

Revision ID: cases_0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_0001"
down_revision = None
branch_labels = ("cases",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_number", sa.String(40), primary_key=True),
        sa.Column("case_type", sa.String(8), nullable=False),
        sa.Column("applicant", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "case_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_number",
            sa.String(40),
            sa.ForeignKey("cases.case_number", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_case_history_case_number", "case_history", ["case_number", "id"])
    op.create_table(
        "case_lookup_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
    )
    op.create_index("ix_case_lookup_audit_at", "case_lookup_audit", ["at"])
    op.create_index(
        "ix_case_lookup_audit_conversation", "case_lookup_audit", ["conversation_id", "at"]
    )
    op.create_index("ix_case_lookup_audit_case_number", "case_lookup_audit", ["case_number", "at"])
    op.create_table(
        "case_lockout",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_case_lockout_key", "case_lockout", ["kind", "key", "locked_until"])


def downgrade() -> None:
    op.drop_table("case_lockout")
    op.drop_table("case_lookup_audit")
    op.drop_table("case_history")
    op.drop_table("cases")
