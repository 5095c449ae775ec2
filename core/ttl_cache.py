"""The one bounded, expiring in-memory map of the project (recently seen message ids, the
numbered choices last shown to a user): entries are forgotten ``ttl`` seconds after they were
stored, and the oldest go first when more than ``max_size`` are kept."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """Per-process memory that cannot grow without bound; ``clock`` is replaceable in tests."""

    def __init__(
        self,
        ttl: float = 3600.0,
        max_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The live value of ``key``, or None (an expired entry is dropped)."""
        entry = self._items.get(key)
        if entry is None:
            return None
        if self._clock() > entry[0]:
            self._items.pop(key, None)
            return None
        return entry[1]

    def put(self, key: K, value: V) -> None:
        """Store ``value`` (again) for a full ``ttl``, as the newest entry."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self.ttl, value)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def add(self, key: K, value: V) -> bool:
        """Store ``key`` unless it is live already; False then (a retry or a replay)."""
        if self.get(key) is not None:
            return False
        self.put(key, value)
        return True

    def discard(self, key: K) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
