"""Tables of the case store. The schema is created by migrations/versions (branch "cases").

Times: ``cases.updated_at`` and ``case_history.updated_at`` are the center's local time as the
CSV gives them; ``recorded_at``, ``imported_at``, audit and lockout times are naive UTC.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from core.db import Base


class Case(Base):
    """One case as last imported; the case number (normalised) is the key."""

    __tablename__ = "cases"
    case_number = Column(String(40), primary_key=True)
    case_type = Column(String(8), nullable=False)
    applicant = Column(String(200), nullable=False)
    phone = Column(String(20), nullable=False)  # digits only, e.g. 13812345678
    status = Column(String(64), nullable=False)
    updated_at = Column(DateTime, nullable=False)
    note = Column(Text, nullable=False, default="")
    imported_at = Column(DateTime, nullable=False)


class CaseHistory(Base):
    """A status the case had: one row per import that brought a new status, date or note."""

    __tablename__ = "case_history"
    id = Column(Integer, primary_key=True, autoincrement=True)
    case_number = Column(
        String(40), ForeignKey("cases.case_number", ondelete="CASCADE"), nullable=False
    )
    status = Column(String(64), nullable=False)
    updated_at = Column(DateTime, nullable=False)
    note = Column(Text, nullable=False, default="")
    recorded_at = Column(DateTime, nullable=False)

    __table_args__ = (Index("ix_case_history_case_number", "case_number", "id"),)


class CaseLookupAudit(Base):
    """Every lookup attempt; never the phone digits the user typed."""

    __tablename__ = "case_lookup_audit"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(64), nullable=False)
    case_number = Column(String(64), nullable=False)
    outcome = Column(String(32), nullable=False)

    __table_args__ = (
        Index("ix_case_lookup_audit_conversation", "conversation_id", "at"),
        Index("ix_case_lookup_audit_case_number", "case_number", "at"),
    )


class CaseLockout(Base):
    """Lookups refused for a conversation or a case number until ``locked_until``."""

    __tablename__ = "case_lockout"
    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(16), nullable=False)  # "conversation" or "case_number"
    key = Column(String(255), nullable=False)
    locked_until = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (Index("ix_case_lockout_key", "kind", "key", "locked_until"),)


class CaseLookupBudget(Base):
    """Failed verifications counted per key (a conversation, a case number, a client, or all
    lookups), reserved *before* the backend is asked, so that parallel attempts cannot all pass
    the check; ``locked_until`` is set by the attempt that reaches the limit."""

    __tablename__ = "case_lookup_budget"
    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(16), nullable=False)  # conversation, case_number, client, global
    key = Column(String(255), nullable=False)
    window_start = Column(DateTime, nullable=False)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime, nullable=True)

    __table_args__ = (UniqueConstraint("kind", "key", name="uq_case_lookup_budget_key"),)
