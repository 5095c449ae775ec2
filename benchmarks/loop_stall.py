"""How long an event loop went without running other coroutines while some work ran: a
coroutine ticks every ``TICK`` seconds meanwhile, and the longest gap between its ticks is the
stall. Used by the event-loop benchmark and by the tests that nothing blocks a loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

TICK = 0.01


async def max_stall(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """(the longest the event loop went without running a ``TICK`` ticker while ``work``
    ran, what ``work`` returned)."""
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
    return max(gaps, default=0.0), result
