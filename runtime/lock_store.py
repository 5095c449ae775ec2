"""Rasa's conversation locks, without a second's wait.

Rasa handles one message of a conversation at a time: a message takes a ticket on the
conversation's lock and, while an earlier message is still being answered, polls the lock
every ``wait_time_in_seconds``, which every caller leaves at its default of **1 s**. A user who
sends two messages in quick succession ("你好", then the question) waited up to a second more
for the second answer than its own work took. Here the poll is every ``POLL_SECONDS``.

With Redis (the production stack: several Rasa servers) Rasa's ``RedisLockStore`` makes about
seven round trips a message (take a ticket, look, finish, check for waiters, delete), each a
synchronous call on the Rasa server's event loop. Running them in worker threads was measured
and is not done: on the stack (Redis on loopback, one Rasa server, 128 conversations) it gave
66-69 msg/s against 71-73 with the calls made directly; a thread hop costs more than a
sub-millisecond round trip. (The tracker store's PostgreSQL work, with pings, commits and
fsyncs, does gain from threads: runtime.tracker_store.)

``runtime.config_files`` names these classes in endpoints.yml; Rasa builds a lock store of a
module path with ``cls(endpoint_config=...)``.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05


class PromptLocking(LockStore):
    """Rasa's ``lock``, polling every ``POLL_SECONDS`` unless the caller says otherwise."""

    def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AbstractAsyncContextManager[TicketLock]:
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)


class PromptInMemoryLockStore(PromptLocking, InMemoryLockStore):
    """One Rasa server's locks in its memory (``ippc run``)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        super().__init__()


class PromptRedisLockStore(PromptLocking, RedisLockStore):
    """Locks shared by several Rasa servers, in Redis."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)
