"""Messages that channels.push queued for a conversation (REST users; widget users who were
away): the handoff relay hands them over with the bot's reply, so a REST user gets staff
replies and the closing rating question on their next message. Without the channels area
nothing is ever queued."""

from __future__ import annotations

from typing import Any


def has_pending(conversation_id: str) -> bool:
    try:
        from channels.outbox import pending_count
    except ImportError:
        return False
    return pending_count(conversation_id) > 0


def take_pending(conversation_id: str) -> list[dict[str, Any]]:
    """The queued messages, each claimed once (the caller must deliver them)."""
    try:
        from channels.push import pending_messages
    except ImportError:
        return []
    return pending_messages(conversation_id)
