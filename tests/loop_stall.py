"""Measuring whether async code blocks its event loop: make a blocking call slow, and see how
long a coroutine ticking every 10 ms had to wait meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

SLOW = 0.3  # seconds a slowed database call blocks its thread
TICK = 0.01
# The loop may be late on a busy machine (2 shared cores), never by the slow call itself.
MAX_STALL = 0.2


def slowed(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[float]:
    """Make ``owner.name`` block for SLOW seconds before doing its work; the list records
    when each call started (so a test knows the slow call really happened)."""
    original = getattr(owner, name)
    calls: list[float] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        calls.append(time.monotonic())
        time.sleep(SLOW)  # a database that takes its time, blocking the calling thread
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)
    return calls


async def max_stall(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """(the longest the event loop went without running a 10 ms ticker while ``work`` ran,
    what ``work`` returned)."""
    loop = asyncio.get_running_loop()
    gaps: list[float] = []
    finished = asyncio.Event()

    async def ticker() -> None:
        last = loop.time()
        while not finished.is_set():
            await asyncio.sleep(TICK)
            now = loop.time()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        result = await work()
    finally:
        finished.set()
        await task
    return max(gaps), result
