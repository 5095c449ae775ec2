"""A token bucket: a burst of ``capacity`` events, then one every ``1 / rate`` seconds.
Used per widget socket so that one browser (or a script) cannot flood the bot."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, capacity: float, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.rate = rate
        self.clock = clock
        self.tokens = capacity
        self.updated = clock()

    def take(self) -> bool:
        """Spend one token; False when none is left (the event must be refused)."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
