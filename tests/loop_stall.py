"""Measuring whether async code blocks its event loop: make a blocking call slow, and see how
long a coroutine ticking every 10 ms had to wait meanwhile."""

from __future__ import annotations

import time
from typing import Any

import pytest

from benchmarks.loop_stall import max_stall

__all__ = ["MAX_STALL", "SLOW", "max_stall", "slowed"]

SLOW = 0.3  # seconds a slowed database call blocks its thread
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
