"""Rasa's conversation locks, without a second's wait and without blocking the event loop.

Rasa handles one message of a conversation at a time: a message takes a ticket on the
conversation's lock and, while an earlier message is still being answered, polls the lock
every ``wait_time_in_seconds``, which every caller leaves at its default of **1 s**. A user who
sends two messages in quick succession ("你好", then the question) waited up to a second more
for the second answer than its own work took. Here the poll is every ``POLL_SECONDS``.

With Redis (the production stack: several Rasa servers), Rasa's ``RedisLockStore`` makes about
seven round trips a message (take a ticket, look, finish, check for waiters, delete), each a
synchronous call on the Rasa server's event loop: 11 % of a loaded server's time was spent
blocked there (py-spy, docs/benchmarks.md). :class:`ThreadedRedisLockStore` makes the same
calls, in the same order, in worker threads (``core.db.run_sync``).

``runtime.config_files`` names these classes in endpoints.yml; Rasa builds a lock store of a
module path with ``cls(endpoint_config=...)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

from core.db import run_sync

POLL_SECONDS = 0.05
T = TypeVar("T")


class PromptLocking(LockStore):
    """Rasa's ``lock``, polling every ``POLL_SECONDS``, with each storage call made through
    :meth:`_call` (directly here; in a worker thread for a networked store)."""

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return fn(*args)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        ticket = await self._call(self.issue_ticket, conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            await self._call(self.cleanup, conversation_id, ticket)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        """Rasa's loop: the lock is this ticket's once the tickets before it are done (or
        gone with the lock)."""
        while True:
            lock = await self._call(self.get_lock, conversation_id)
            if not lock:
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            await self._call(self.update_lock, conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


class PromptInMemoryLockStore(PromptLocking, InMemoryLockStore):
    """One Rasa server's locks in its memory (``ippc run``)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        super().__init__()


class ThreadedRedisLockStore(PromptLocking, RedisLockStore):
    """Locks shared by several Rasa servers in Redis, waited for in worker threads."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await run_sync(fn, *args)
