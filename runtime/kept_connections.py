"""Rasa's calls to the action server over kept connections.

Rasa 3.6 opens a new ``aiohttp.ClientSession`` for every request to an endpoint
(``EndpointConfig.request``): a new connection pool, a new TCP connection to the action
server, closed again after the answer. A form turn calls the action server two or three
times, so under load the connection set-up was the largest item of the Rasa server's action
calls (6.8 % of its samples, py-spy, docs/benchmarks.md). Here each endpoint keeps one
session per event loop, whose connections are reused.

A kept connection is dropped after ``KEEPALIVE_SECONDS`` idle, well before the action
server (Sanic: 5 s) or nginx (75 s) closes it from its side, so a request is never written
into a connection the other end is closing. Headers, authentication and the timeout are
those of Rasa's own session.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

KEEPALIVE_SECONDS = 2.0

_original_session = EndpointConfig.session
# every session handed out, to close at shutdown (close_kept_sessions)
_sessions: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


class _Borrowed:
    """``async with`` a kept session without closing it at the end (Rasa's ``request`` says
    ``async with self.session() as session``)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_: Any) -> None:
        return None


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
    )
    _sessions.add(session)
    return session


def kept_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The endpoint's session for the running event loop, made on first use."""
    loop = asyncio.get_running_loop()
    kept: tuple[Any, aiohttp.ClientSession] | None = endpoint.__dict__.get("_ippc_session")
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = (loop, _new_session(endpoint))
        endpoint.__dict__["_ippc_session"] = kept
    return kept[1]


def _session(self: EndpointConfig) -> _Borrowed:
    return _Borrowed(kept_session(self))


async def close_kept_sessions(*_: Any) -> None:
    """Close the kept sessions of the running loop (a Sanic ``after_server_stop`` listener)."""
    loop = asyncio.get_running_loop()
    for session in list(_sessions):
        if not session.closed and session._loop is loop:  # noqa: SLF001 - its own loop
            await session.close()


def install() -> None:
    EndpointConfig.session = _session


def uninstall() -> None:
    EndpointConfig.session = _original_session
