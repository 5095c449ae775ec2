"""First come, first served: at most ``IPPC_MESSAGES_IN_FLIGHT`` user messages are processed at
once by a Rasa server; the others wait their turn in arrival order.

Why: Rasa handles every message on one event loop. A message that runs custom actions (a form
turn calls the action server two or three times) goes back to the end of the loop's queue
after each call, behind every other message in progress. Under load, messages without actions
pass quickly and form turns wait several rounds: ippc's median was half plain Rasa's but its
p99 1.4-2.1x (docs/benchmarks.md). Admitting a few messages at a time keeps each one's rounds
short, so the wait is spent once, in order, at the door. Throughput is the same (the CPU is
the limit); the tail is shorter. 0 switches it off.

The default depends on where the conversations are stored. SQLite answers in-process, so 4
messages keep the loop busy. A database server (PostgreSQL, the production stack) is waited
for in worker threads (runtime.tracker_store), and with 4 admitted the loop was idle a third of
the time while all four waited; 8 kept it busy (one Rasa server of the stack: 73 -> 80 msg/s
and a shorter p99 at 32 conversations; 16: the same throughput, a longer p99).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent

from core.settings import count_setting, tracker_store_url

DEFAULT_IN_FLIGHT = 4  # conversations in SQLite
DEFAULT_IN_FLIGHT_DATABASE_SERVER = 8  # in PostgreSQL
_original = Agent.handle_message


def messages_in_flight() -> int:
    """``IPPC_MESSAGES_IN_FLIGHT`` (default 4 with SQLite, 8 with a database server; 0: no
    limit)."""
    in_process = tracker_store_url().startswith("sqlite")
    default = DEFAULT_IN_FLIGHT if in_process else DEFAULT_IN_FLIGHT_DATABASE_SERVER
    return count_setting("IPPC_MESSAGES_IN_FLIGHT", default, "no limit")


def admitted(handle: Callable[..., Awaitable[Any]], limit: int) -> Callable[..., Awaitable[Any]]:
    """``handle`` with at most ``limit`` calls running at once; asyncio's semaphore wakes
    waiters in the order they came. One semaphore per event loop (Sanic may run several)."""
    semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    @functools.wraps(handle)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        semaphore = semaphores.get(loop)
        if semaphore is None:
            semaphore = semaphores[loop] = asyncio.Semaphore(limit)
        async with semaphore:
            return await handle(*args, **kwargs)

    return wrapper


def install() -> None:
    """Limit the messages in flight of this process's agents (idempotent)."""
    limit = messages_in_flight()
    Agent.handle_message = admitted(_original, limit) if limit else _original


def uninstall() -> None:
    Agent.handle_message = _original
