"""channels: outbox of messages awaiting delivery

Revision ID: channels_0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "channels_0001"
down_revision = None
branch_labels = ("channels",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
    )
    op.create_index(
        "ix_channel_outbox_pending", "channel_outbox", ["conversation_id", "delivered_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_channel_outbox_pending", table_name="channel_outbox")
    op.drop_table("channel_outbox")
