"""Tables of the handoff area: staff accounts and sessions, tickets and their transcripts."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from core.clock import utc_now
from core.db import Base
from knowledge_base.texts import TextLabels

# Ticket states: waiting in the queue, claimed by staff, finished, or a message left
# outside working hours for the next working day.
WAITING = "waiting"
ACTIVE = "active"
CLOSED = "closed"
LEFT_MESSAGE = "left-message"
STATUSES = (WAITING, ACTIVE, CLOSED, LEFT_MESSAGE)
OPEN_STATUSES = (WAITING, ACTIVE)

# Why a conversation was handed over to a person; the labels staff see are texts
# (knowledge_base/data/texts/handoff.yml, reason.*).
REASONS = TextLabels(
    "handoff.reason", ("user_request", "misunderstood_twice", "needs_judgement", "left_message")
)

ROLES = ("agent", "admin")
SENDERS = ("user", "bot", "staff")


class Staff(Base):
    __tablename__ = "handoff_staff"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False, default="agent")
    # None: every center's tickets (single-center deployments); else only this center's.
    center = Column(String(100), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utc_now)


class StaffSession(Base):
    """A console login. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "handoff_sessions"

    token_hash = Column(String(64), primary_key=True)
    staff_id = Column(Integer, ForeignKey("handoff_staff.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    expires_at = Column(DateTime, nullable=False)

    staff = relationship(Staff, lazy="joined")


class LoginThrottle(Base):
    """Failed logins per key (user name or client address), to slow password guessing."""

    __tablename__ = "handoff_login_throttle"

    key = Column(String(200), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    last_failure_at = Column(DateTime, nullable=True)
    blocked_until = Column(DateTime, nullable=True)


class Ticket(Base):
    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(64), nullable=False, default="rest")
    center = Column(String(100), nullable=True)
    status = Column(String(16), nullable=False, default=WAITING)
    reason = Column(String(32), nullable=False)
    # The topic the conversation was about when it ended in a handoff (dashboard).
    topic = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    claimed_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utc_now)
    assignee_id = Column(Integer, ForeignKey("handoff_staff.id"), nullable=True)
    resolution_note = Column(Text, nullable=True)
    tags = Column(Text, nullable=False, default="")
    rating = Column(Integer, nullable=True)
    rated_at = Column(DateTime, nullable=True)
    # Left messages: how to reach the user, and when staff are back.
    contact = Column(String(200), nullable=True)
    callback_after = Column(DateTime, nullable=True)

    assignee = relationship(Staff, lazy="joined")
    messages = relationship(
        "TicketMessage",
        order_by="TicketMessage.id",
        cascade="all, delete-orphan",
        back_populates="ticket",
    )

    __table_args__ = (
        Index("ix_handoff_tickets_conversation", "conversation_id", "status"),
        Index("ix_handoff_tickets_status_created", "status", "created_at"),
    )

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (self.tags or "").split(",") if tag]


class TicketMessage(Base):
    """One line of a transcript: what the user, the bot or staff said, and when."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(
        Integer, ForeignKey("handoff_tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sender = Column(String(8), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(DateTime, nullable=False, default=utc_now)
    # The bot's understanding of a user message.
    topic = Column(String(64), nullable=True)
    intent = Column(String(100), nullable=True)
    confidence = Column(Float, nullable=True)
    staff_id = Column(Integer, ForeignKey("handoff_staff.id"), nullable=True)
    # Staff replies: whether the channel accepted the push.
    delivered = Column(Boolean, nullable=True)

    ticket = relationship(Ticket, back_populates="messages")


# ------------------------------------------------------------------------------ the inbox
# Why a user message is in the inbox ("待改进问题"); a message may have several reasons.
MISS_REASONS = {
    "fallback": "未理解",
    "low_confidence": "把握不大",
    "rephrased": "用户换了说法",
    "handoff": "未理解后转人工",
    "low_rating": "低评分会话",
    "flagged": "客服标记",
}
# open: waiting for staff; labelled: a topic was assigned (exported as training data);
# needs_answer: the bot has no answer yet (a draft waits for approval); dismissed.
INBOX_STATUSES = ("open", "labelled", "needs_answer", "dismissed")
DRAFT_STATUSES = ("draft", "approved")


class MissedMessage(Base):
    """A user message the bot missed or staff flagged, masked, with the bot's guess."""

    __tablename__ = "inbox_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(64), nullable=False, default="rest")
    center = Column(String(100), nullable=True)
    ticket_id = Column(
        Integer, ForeignKey("handoff_tickets.id", ondelete="SET NULL"), nullable=True
    )
    text = Column(Text, nullable=False)
    # When the user sent it (naive UTC); with the conversation, identifies the message.
    at = Column(DateTime, nullable=False)
    intent = Column(String(100), nullable=True)
    topic = Column(String(64), nullable=True)
    confidence = Column(Float, nullable=True)
    reasons = Column(String(200), nullable=False, default="")
    # A few lines before the message (JSON list of [sender, text]), masked.
    context = Column(Text, nullable=False, default="[]")
    status = Column(String(16), nullable=False, default="open")
    label_topic = Column(String(64), nullable=True)
    labelled_by = Column(String(100), nullable=True)
    labelled_at = Column(DateTime, nullable=True)
    draft_id = Column(Integer, ForeignKey("inbox_drafts.id", ondelete="SET NULL"), nullable=True)
    recorded_at = Column(DateTime, nullable=False, default=utc_now)

    __table_args__ = (
        Index("ix_inbox_messages_conversation_at", "conversation_id", "at"),
        Index("ix_inbox_messages_status_center", "status", "center"),
        Index("ix_inbox_messages_at", "at"),
    )

    @property
    def reason_list(self) -> list[str]:
        return [reason for reason in (self.reasons or "").split(",") if reason]


class AnswerDraft(Base):
    """A new answer staff drafted for questions the bot cannot answer yet; published by
    ``ippc train`` only after an admin approved it."""

    __tablename__ = "inbox_drafts"

    id = Column(Integer, primary_key=True)
    center = Column(String(100), nullable=True)
    topic = Column(String(64), nullable=False)
    question = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
    source = Column(String(500), nullable=False)
    status = Column(String(16), nullable=False, default="draft")
    created_by = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    approved_by = Column(String(100), nullable=True)
    approved_at = Column(DateTime, nullable=True)


class DailyTraffic(Base):
    """User messages, fallbacks and new conversations per local day, channel and center
    (the dashboard's denominators), added to in batches by the Rasa server."""

    __tablename__ = "inbox_daily_traffic"

    day = Column(Date, primary_key=True)
    channel = Column(String(64), primary_key=True)
    # "" for deployments without a center (a primary key column cannot be NULL).
    center = Column(String(100), primary_key=True, default="")
    conversations = Column(Integer, nullable=False, default=0)
    messages = Column(Integer, nullable=False, default=0)
    fallbacks = Column(Integer, nullable=False, default=0)
