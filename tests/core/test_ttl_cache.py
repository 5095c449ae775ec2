"""The one TTL cache: entries expire, the oldest go first past the bound, add refuses a replay."""

from __future__ import annotations

from core.ttl_cache import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_expires_after_its_ttl() -> None:
    clock = Clock()
    cache: TTLCache[str, str] = TTLCache(ttl=10, clock=clock)
    cache.put("a", "1")
    clock.now = 10
    assert cache.get("a") == "1"
    clock.now = 10.1
    assert cache.get("a") is None and len(cache) == 0


def test_the_oldest_entries_go_first_past_the_bound() -> None:
    cache: TTLCache[int, int] = TTLCache(max_size=3)
    for key in range(5):
        cache.put(key, key)
    assert [cache.get(k) for k in range(5)] == [None, None, 2, 3, 4]
    cache.put(2, 20)  # stored again: now the newest
    cache.put(5, 5)
    assert cache.get(3) is None and cache.get(2) == 20


def test_add_refuses_a_live_key_and_accepts_it_after_expiry() -> None:
    clock = Clock()
    cache: TTLCache[str, str] = TTLCache(ttl=5, clock=clock)
    assert cache.add("msg-1", "x")
    assert not cache.add("msg-1", "y") and cache.get("msg-1") == "x"
    clock.now = 6
    assert cache.add("msg-1", "y")
