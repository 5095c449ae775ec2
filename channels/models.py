"""Outbox of messages that could not be delivered at once (user offline, or REST channel)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from core.clock import utc_now
from core.db import Base


class OutboxMessage(Base):
    """One bot/staff message waiting for its conversation; claimed once, then kept as a log."""

    __tablename__ = "channel_outbox"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(32), nullable=False)
    # The Rasa-style message dict as JSON (text, buttons, ...).
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    delivered_at = Column(DateTime, nullable=True)

    __table_args__ = (Index("ix_channel_outbox_pending", "conversation_id", "delivered_at"),)


class ReplayGuard(Base):
    """Signed webhook requests already seen (WeChat), shared by every server instance: the
    same signature is accepted once (its retries carry the same message key)."""

    __tablename__ = "channel_replay_guard"

    key = Column(String(128), primary_key=True)
    message_key = Column(String(255), nullable=False)
    seen_at = Column(DateTime, nullable=False, default=utc_now, index=True)
