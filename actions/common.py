"""Helpers shared by the actions: the knowledge base and what the latest message said."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from knowledge_base.base import KnowledgeBase, get_knowledge_base


def knowledge_base() -> KnowledgeBase:
    """The knowledge base, loaded once per action-server process."""
    return get_knowledge_base()


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def latest_entities(tracker: Tracker, entity: str) -> list[str]:
    """Canonical values of ``entity`` in the latest user message, in order."""
    return [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == entity and e.get("value")
    ]


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def first_value(value: Any) -> str | None:
    """Slot values from several entities arrive as a list; the forms use one."""
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None
