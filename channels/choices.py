"""Remember the numbered choices last shown to a user, so that typing "2" picks the second."""

from __future__ import annotations

from core.ttl_cache import TTLCache

# Message ids and nonces a channel has seen recently (WeChat MsgIds, Telegram update ids), to
# answer a retry once: many more keys than conversations with open choices.
SEEN_KEYS_MAX = 100_000


def seen_keys() -> TTLCache[str, str]:
    """Keys seen in the last hour, each with the value first stored for it."""
    return TTLCache(ttl=3600.0, max_size=SEEN_KEYS_MAX)


class ChoiceMemory:
    """Per-conversation payload lists, bounded in size and forgotten after ``ttl`` seconds."""

    def __init__(self, ttl: float = 3600.0, max_size: int = 10_000) -> None:
        self._items: TTLCache[str, list[str]] = TTLCache(ttl=ttl, max_size=max_size)

    def remember(self, conversation_id: str, payloads: list[str]) -> None:
        if payloads:
            self._items.put(conversation_id, payloads)
        else:
            self._items.discard(conversation_id)

    def resolve(self, conversation_id: str, text: str) -> str:
        """The payload for a typed number, or ``text`` unchanged."""
        candidate = text.strip().rstrip(".、")
        if not candidate.isdigit() or not candidate.isascii():
            return text
        payloads = self._items.get(conversation_id)
        if not payloads:
            return text
        index = int(candidate) - 1
        return payloads[index] if 0 <= index < len(payloads) else text
