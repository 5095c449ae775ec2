"""Rasa's requests to an endpoint (the action server) reuse one connection while it is kept,
instead of a new session and TCP connection per call as Rasa 3.6 does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from runtime import kept_connections


@pytest.fixture
async def counting_server() -> AsyncIterator[tuple[str, list]]:
    """An HTTP server that answers JSON and records the client port of each request:
    one port per TCP connection."""
    ports: list[int] = []

    async def answer(request: web.Request) -> web.Response:
        ports.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/webhook", ports
    await runner.cleanup()


@pytest.fixture
def as_installed() -> Iterator[None]:
    """Whatever the test does, ``EndpointConfig.session`` is left as it was (the REST
    channel's module installs the kept sessions when a test imports it)."""
    before = EndpointConfig.session
    yield
    EndpointConfig.session = before


async def test_kept_sessions_reuse_one_connection_and_close_at_shutdown(
    counting_server, as_installed
) -> None:
    url, ports = counting_server
    endpoint = EndpointConfig(url, headers={"X-Check": "1"})
    kept_connections.install()
    for _ in range(3):
        assert await endpoint.request(json={"next_action": "x"}) == {
            "events": [],
            "responses": [],
        }
    assert len(ports) == 3 and len(set(ports)) == 1
    session = kept_connections.kept_session(endpoint)
    assert dict(session.headers)["X-Check"] == "1"
    await kept_connections.close_kept_sessions()
    assert session.closed
    await endpoint.request(json={})  # a closed session is replaced, not reused
    assert len(set(ports)) == 2
    await kept_connections.close_kept_sessions()


async def test_rasa_as_shipped_opens_a_connection_per_request(
    counting_server, as_installed
) -> None:
    url, ports = counting_server
    kept_connections.uninstall()
    endpoint = EndpointConfig(url)
    for _ in range(3):
        await endpoint.request(json={})
    assert len(set(ports)) == 3  # what the kept sessions save
