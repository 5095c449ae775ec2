"""Store messages for later delivery and claim them exactly once (safe across processes)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from channels.models import OutboxMessage
from core.clock import utc_now
from core.db import session_scope


def store(
    conversation_id: str, channel: str, messages: Iterable[dict[str, Any]], url: str | None = None
) -> int:
    """Queue ``messages`` for ``conversation_id``; returns how many were stored."""
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
    with session_scope(url) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.payload)
            .where(
                OutboxMessage.conversation_id == conversation_id,
                OutboxMessage.delivered_at.is_(None),
            )
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
    with session_scope(url) as session:
        return len(
            session.execute(
                select(OutboxMessage.id).where(
                    OutboxMessage.conversation_id == conversation_id,
                    OutboxMessage.delivered_at.is_(None),
                )
            ).all()
        )
