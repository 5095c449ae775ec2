"""Whole-number settings: their default, 0, and a clear error for anything else."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.message_admission import messages_in_flight
from runtime.tracker_cache import tracker_cache_size

SETTINGS: list[tuple[str, Callable[[], int], int]] = [
    ("IPPC_MESSAGES_IN_FLIGHT", messages_in_flight, 4),
    ("IPPC_TRACKER_CACHE_SIZE", tracker_cache_size, 2000),
]


@pytest.mark.parametrize(("name", "read", "default"), SETTINGS)
def test_default_zero_and_bad_values(
    monkeypatch: pytest.MonkeyPatch, name: str, read: Callable[[], int], default: int
) -> None:
    monkeypatch.delenv(name, raising=False)
    assert read() == default
    monkeypatch.setenv(name, " ")
    assert read() == default
    monkeypatch.setenv(name, "0")
    assert read() == 0
    for bad in ("-1", "many", "2.5"):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValueError, match=name):
            read()
