"""The HTTP backend against a local aiohttp server that answers, is slow, is down, or answers
garbage: the lookup always ends within the deadline, retries once, and stops calling a
backend that keeps failing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from cases.backends import BackendUnavailable
from cases.backends.breaker import CircuitBreaker
from cases.backends.http import HttpCaseBackend, parse_case
from runtime.processes import unused_port

TOKEN = "test-token"
GOOD = {
    "case_number": "YS2025000123",
    "case_type": "预审",
    "applicant": "测试科技有限公司",
    "phone_last4": "5678",
    "status": "预审合格",
    "updated_at": "2025-03-14T10:00:00+08:00",
    "note": "",
}
USER_DEADLINE = 3.0  # the user hears something within this, whatever the backend does


class StandIn:
    """The center's system: ``mode`` says how it behaves; ``calls`` counts requests."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.calls = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.calls += 1
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401)
        number = request.match_info["number"]
        mode = self.mode
        if mode == "fail-once":
            self.mode = "ok"
            return web.Response(status=503)
        if mode == "slow":
            await asyncio.sleep(10)
        if mode == "garbage":
            return web.Response(text="<html>维护中</html>", content_type="text/html")
        if mode == "bad-json":
            return web.json_response({"case_number": number, "status": 3})
        if mode == "error":
            return web.Response(status=500)
        if number != GOOD["case_number"]:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(GOOD)


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, str]]:
    server = StandIn()
    app = web.Application()
    app.router.add_get("/api/cases/{number}", server.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = unused_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    yield server, f"http://127.0.0.1:{port}/api"
    await runner.cleanup()


def _backend(
    url: str, token: str = TOKEN, breaker: CircuitBreaker | None = None
) -> HttpCaseBackend:
    return HttpCaseBackend(
        url, token, attempt_timeout=1.0, deadline=2.5, breaker=breaker or CircuitBreaker(3, 30)
    )


async def test_a_case_is_read_and_an_unknown_one_is_none(stand_in) -> None:
    server, url = stand_in
    backend = _backend(url)
    record = await backend.fetch("YS2025000123")
    assert record.status == "预审合格" and record.phone_last4 == "5678"
    assert record.updated_at.hour == 10
    assert await backend.fetch("YS2025999999") is None


@pytest.mark.parametrize("mode", ["slow", "garbage", "bad-json", "error"])
async def test_a_failing_backend_is_unavailable_within_the_deadline(stand_in, mode: str) -> None:
    server, url = stand_in
    server.mode = mode
    backend = _backend(url)
    with pytest.raises(BackendUnavailable):
        await asyncio.wait_for(backend.fetch("YS2025000123"), USER_DEADLINE)
    assert server.calls == 2  # the first try and one retry


async def test_a_backend_that_is_down_is_unavailable_within_the_deadline() -> None:
    backend = _backend(f"http://127.0.0.1:{unused_port()}/api")
    with pytest.raises(BackendUnavailable):
        await asyncio.wait_for(backend.fetch("YS2025000123"), USER_DEADLINE)


async def test_one_failure_is_retried(stand_in) -> None:
    server, url = stand_in
    server.mode = "fail-once"
    backend = _backend(url)
    assert (await backend.fetch("YS2025000123")).status == "预审合格"
    assert server.calls == 2


async def test_a_wrong_token_is_not_retried(stand_in) -> None:
    server, url = stand_in
    backend = _backend(url, token="wrong")
    with pytest.raises(BackendUnavailable, match="HTTP 401"):
        await backend.fetch("YS2025000123")
    assert server.calls == 1


async def test_the_circuit_opens_after_repeated_failures_and_closes_after_a_trial(stand_in) -> None:
    server, url = stand_in
    now = [0.0]
    breaker = CircuitBreaker(threshold=3, reset_after=30, clock=lambda: now[0])
    backend = _backend(url, breaker=breaker)
    server.mode = "error"
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            await backend.fetch("YS2025000123")
    assert breaker.state == "open" and server.calls == 6
    with pytest.raises(BackendUnavailable, match="circuit open"):
        await backend.fetch("YS2025000123")
    assert server.calls == 6  # not called at all while open
    now[0] = 31.0
    server.mode = "ok"
    assert breaker.state == "half-open"
    assert (await backend.fetch("YS2025000123")).status == "预审合格"
    assert breaker.state == "closed"


def test_a_failed_trial_opens_the_circuit_again() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, reset_after=10, clock=lambda: now[0])
    breaker.failed()
    assert breaker.allow()
    breaker.failed()
    assert not breaker.allow()
    now[0] = 10.0
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "not a JSON object"),
        ({**GOOD, "case_number": "YS2025000999"}, "another case number"),
        ({**GOOD, "phone_last4": "56"}, "four digits"),
        ({**GOOD, "updated_at": "yesterday"}, "updated_at is not a date"),
        ({key: value for key, value in GOOD.items() if key != "status"}, "'status' is missing"),
        ({**GOOD, "note": 5}, "note is not a string"),
    ],
)
def test_malformed_answers_are_refused(payload: object, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        parse_case(payload, "YS2025000123")


def test_a_full_phone_number_is_reduced_to_its_last_four_digits() -> None:
    payload = {key: value for key, value in GOOD.items() if key != "phone_last4"}
    record = parse_case({**payload, "phone": "138-1234-5678"}, "YS2025000123")
    assert record.phone_last4 == "5678"
