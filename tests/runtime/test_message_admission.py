"""First come, first served: at most N messages in flight, the others admitted in order."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent

from runtime import message_admission
from runtime.message_admission import admitted


async def test_at_most_the_limit_runs_at_once_and_waiters_go_in_arrival_order() -> None:
    running = 0
    most = 0
    started: list[int] = []

    async def handle(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        started.append(n)
        await asyncio.sleep(0.01)
        running -= 1
        return n

    limited = admitted(handle, 3)
    results = await asyncio.gather(*(limited(n) for n in range(12)))
    assert results == list(range(12))
    assert most == 3
    assert started == list(range(12))  # no message overtakes one that came before it


async def test_without_the_limit_all_run_at_once() -> None:
    running = 0
    most = 0

    async def handle() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    await asyncio.gather(*(handle() for _ in range(10)))
    assert most == 10  # the baseline the limit is measured against


def test_install_wraps_the_agent_and_zero_leaves_it_as_shipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        monkeypatch.setenv("IPPC_MESSAGES_IN_FLIGHT", "2")
        message_admission.install()
        assert Agent.handle_message is not message_admission._original
        assert Agent.handle_message.__wrapped__ is message_admission._original
        monkeypatch.setenv("IPPC_MESSAGES_IN_FLIGHT", "0")
        message_admission.install()
        assert Agent.handle_message is message_admission._original
    finally:
        monkeypatch.delenv("IPPC_MESSAGES_IN_FLIGHT")
        message_admission.install()  # as the REST channel module left it (the default)
