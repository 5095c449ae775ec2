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


def test_more_messages_in_flight_when_a_database_server_keeps_the_conversations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IPPC_MESSAGES_IN_FLIGHT", raising=False)
    monkeypatch.setenv("IPPC_TRACKER_STORE_URL", "sqlite:////tmp/trackers.db")
    assert messages_in_flight() == 4
    monkeypatch.setenv("IPPC_TRACKER_STORE_URL", "postgresql+psycopg2://ippc@127.0.0.1/ippc")
    assert messages_in_flight() == 8
    monkeypatch.setenv("IPPC_MESSAGES_IN_FLIGHT", "3")
    assert messages_in_flight() == 3
