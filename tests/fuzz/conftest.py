"""Fuzz fixtures: a loop thread for the servers, and a check that nothing logged an error."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.fuzz.background import BackgroundLoop


@pytest.fixture(scope="module")
def background() -> Iterator[BackgroundLoop]:
    loop = BackgroundLoop()
    try:
        yield loop
    finally:
        loop.close()


UNHANDLED_LOGGERS = {"sanic.error", "aiohttp.server"}


class ErrorRecords(logging.Handler):
    """Every ERROR (or worse) log record, from any thread, while installed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        """The records of exceptions: unhandled in a request handler (Sanic's and aiohttp's
        error loggers), or caught and logged with their traceback. An error reported in one
        line (an outside API refused a call) is expected with garbage input and not listed."""
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.records
            if r.exc_info or r.name in UNHANDLED_LOGGERS
        ]


@pytest.fixture(scope="module")
def logged_errors() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    # The root logger, and Sanic's error logger in case its configuration stops propagation.
    loggers = [logging.getLogger(), logging.getLogger("sanic.error")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
