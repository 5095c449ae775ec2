"""SQLAlchemy tables of the knowledge base. They live in an in-memory SQLite database that
is rebuilt from the YAML files at start-up: the YAML is the source, these tables the index."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

KnowledgeBaseModel = declarative_base()


class CenterRow(KnowledgeBaseModel):
    __tablename__ = "kb_center"
    id = Column(Integer, primary_key=True)
    name = Column(String, unique=True, nullable=False)
    province = Column(String, nullable=False, index=True)
    city = Column(String, nullable=True, index=True)
    position = Column(Integer, nullable=False)
    fields = relationship("CenterFieldRow", order_by="CenterFieldRow.position", lazy="selectin")


class CenterFieldRow(KnowledgeBaseModel):
    """A field as the centers table writes it, with the canonical field it belongs to."""

    __tablename__ = "kb_center_field"
    id = Column(Integer, primary_key=True)
    center_id = Column(Integer, ForeignKey("kb_center.id"), nullable=False, index=True)
    table_field = Column(String, nullable=False)
    canonical_field = Column(String, nullable=False, index=True)
    position = Column(Integer, nullable=False)


class TermRow(KnowledgeBaseModel):
    """A word users may write (``term``) for an entity value (``value``) of ``label``."""

    __tablename__ = "kb_term"
    id = Column(Integer, primary_key=True)
    label = Column(String, nullable=False, index=True)  # center, region, tech_field, patent_type
    term = Column(String, nullable=False, index=True)
    value = Column(String, nullable=False)


class RegionRow(KnowledgeBaseModel):
    __tablename__ = "kb_region"
    id = Column(Integer, primary_key=True)
    name = Column(String, unique=True, nullable=False)
    province = Column(String, nullable=False, index=True)
    is_city = Column(Integer, nullable=False)
    parent = Column(String, nullable=True)  # the city of a district or county-level city
