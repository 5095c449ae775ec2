"""Remember the numbered choices last shown to a user, so that typing "2" picks the second."""

from __future__ import annotations

import time
from collections import OrderedDict


class ChoiceMemory:
    """Per-conversation payload lists, bounded in size and forgotten after ``ttl`` seconds."""

    def __init__(self, ttl: float = 3600.0, max_size: int = 10_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._items: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()

    def remember(self, conversation_id: str, payloads: list[str]) -> None:
        self._items.pop(conversation_id, None)
        if payloads:
            self._items[conversation_id] = (time.monotonic() + self.ttl, payloads)
            while len(self._items) > self.max_size:
                self._items.popitem(last=False)

    def resolve(self, conversation_id: str, text: str) -> str:
        """The payload for a typed number, or ``text`` unchanged."""
        entry = self._items.get(conversation_id)
        candidate = text.strip().rstrip(".、")
        if not entry or not candidate.isdigit() or not candidate.isascii():
            return text
        expires, payloads = entry
        if time.monotonic() > expires:
            self._items.pop(conversation_id, None)
            return text
        index = int(candidate) - 1
        return payloads[index] if 0 <= index < len(payloads) else text


class SeenKeys:
    """Keys seen recently (WeChat MsgIds, Telegram update ids), with the value first stored."""

    def __init__(self, ttl: float = 3600.0, max_size: int = 100_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def get(self, key: str) -> str | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        if time.monotonic() > entry[0]:
            self._items.pop(key, None)
            return None
        return entry[1]

    def add(self, key: str, value: str = "") -> bool:
        """Store ``key``; False when it was already there (a retry or a replay)."""
        if self.get(key) is not None:
            return False
        self._items[key] = (time.monotonic() + self.ttl, value)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)
        return True
