"""Conversation locks (runtime.lock_store): one message of a conversation at a time, in
order, the next one let in at the next poll rather than up to a second later. On Rasa's
in-memory store and on the real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from rasa.utils.endpoints import EndpointConfig

from runtime import lock_store
from runtime.config_files import IN_MEMORY_CLASS_PATH, REDIS_CLASS_PATH, redis_lock_store
from runtime.lock_store import POLL_SECONDS, PromptInMemoryLockStore, PromptRedisLockStore


def redis_store() -> PromptRedisLockStore:
    """On the machine's Redis, as endpoints.yml describes it."""
    settings = redis_lock_store("redis://127.0.0.1:6379/0")
    kwargs = {k: v for k, v in settings.items() if k not in ("type", "url")}
    return PromptRedisLockStore(EndpointConfig(url=settings["url"], **kwargs))


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[lock_store.PromptLocking]:
    yield PromptInMemoryLockStore() if request.param == "memory" else redis_store()


def test_endpoints_name_these_classes() -> None:
    from rasa.core.lock_store import LockStore

    assert IN_MEMORY_CLASS_PATH == f"{lock_store.__name__}.PromptInMemoryLockStore"
    assert REDIS_CLASS_PATH == f"{lock_store.__name__}.PromptRedisLockStore"
    built = LockStore.create(EndpointConfig(type=IN_MEMORY_CLASS_PATH))
    assert isinstance(built, PromptInMemoryLockStore)
    assert redis_lock_store("redis://:s3cret@10.0.0.5:6380/2") == {
        "type": REDIS_CLASS_PATH,
        "url": "10.0.0.5",
        "port": 6380,
        "db": 2,
        "password": "s3cret",
    }


def test_messages_of_one_conversation_go_one_at_a_time_in_order(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = f"lock-{uuid.uuid4().hex[:8]}"
    entered: list[str] = []
    polls: list[float] = []
    sleep = asyncio.sleep

    async def recorded_sleep(seconds: float) -> None:
        polls.append(seconds)
        await sleep(seconds)

    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)  # Rasa's lock loop sleeps with it

    async def message(name: str, work: float) -> None:
        async with store.lock(conversation):
            entered.append(f"{name} in")
            await sleep(work)
            entered.append(f"{name} out")

    async def two_quick_messages() -> None:
        first = asyncio.create_task(message("first", 0.2))
        await sleep(0.01)
        await message("second", 0)
        await first

    asyncio.run(two_quick_messages())
    assert entered == ["first in", "first out", "second in", "second out"]
    # the second waited by polling at POLL_SECONDS, not at Rasa's default of one second
    assert polls and set(polls) == {POLL_SECONDS}
    assert store.get_lock(conversation) is None  # nothing left behind
