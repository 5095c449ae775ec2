"""Store messages for later delivery and claim them exactly once (safe across processes).

Rows are keyed by channel and qualified conversation id together: a message queued for
``telegram:42`` is never handed to ``rest:telegram:42`` or to a REST caller who names it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from channels.delivery import ConversationIdError, channel_of
from channels.models import OutboxMessage
from core.clock import utc_now
from core.db import session_scope


def is_qualified(conversation_id: str) -> bool:
    """True for an id with a channel prefix (only those can have messages waiting)."""
    try:
        channel_of(conversation_id)
    except ConversationIdError:
        return False
    return True


def _key(conversation_id: str) -> tuple:
    """The WHERE clause of one conversation: its channel and its qualified id."""
    return (
        OutboxMessage.channel == channel_of(conversation_id),
        OutboxMessage.conversation_id == conversation_id,
    )


def store(
    conversation_id: str, channel: str, messages: Iterable[dict[str, Any]], url: str | None = None
) -> int:
    """Queue ``messages`` for ``conversation_id`` (qualified, of ``channel``); returns how many
    were stored. A mismatch between the id and the channel is refused (ConversationIdError)."""
    if channel_of(conversation_id) != channel:
        raise ConversationIdError(f"{conversation_id[:80]!r} is not a {channel} conversation")
    rows = [
        OutboxMessage(
            conversation_id=conversation_id,
            channel=channel,
            payload=json.dumps(message, ensure_ascii=False),
        )
        for message in messages
    ]
    with session_scope(url) as session:
        session.add_all(rows)
    return len(rows)


def claim(conversation_id: str, url: str | None = None) -> list[dict[str, Any]]:
    """Undelivered messages of ``conversation_id`` in order, each marked delivered.

    A row is claimed by a conditional UPDATE, so two processes flushing the same conversation
    at once never both get it.
    """
    claimed: list[dict[str, Any]] = []
    if not is_qualified(conversation_id):
        return claimed
    with session_scope(url) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.payload)
            .where(*_key(conversation_id), OutboxMessage.delivered_at.is_(None))
            .order_by(OutboxMessage.id)
        ).all()
        for row_id, payload in rows:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.delivered_at.is_(None))
                .values(delivered_at=utc_now())
            )
            if result.rowcount == 1:
                claimed.append(json.loads(payload))
    return claimed


def pending_count(conversation_id: str, url: str | None = None) -> int:
    """How many messages wait for ``conversation_id`` (without claiming them)."""
    if not is_qualified(conversation_id):
        return 0
    with session_scope(url) as session:
        return len(
            session.execute(
                select(OutboxMessage.id).where(
                    *_key(conversation_id), OutboxMessage.delivered_at.is_(None)
                )
            ).all()
        )


def purge(before: datetime, url: str | None = None) -> int:
    """Delete messages created before ``before`` (delivered or not); how many were deleted."""
    with session_scope(url) as session:
        result = session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < before))
        return result.rowcount or 0
