"""An asyncio loop in a thread, so hypothesis (which drives plain functions) can send requests
to aiohttp and Sanic servers that keep running across its examples."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._contexts: list[AbstractAsyncContextManager] = []

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def enter(self, context: AbstractAsyncContextManager[T] | AsyncIterator[T]) -> T:
        """Enter an async context manager on the loop; left again by :meth:`close`."""
        self._contexts.append(context)
        return self.run(context.__aenter__())

    def close(self) -> None:
        while self._contexts:
            context = self._contexts.pop()
            self.run(context.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
