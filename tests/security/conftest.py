"""Fixtures of the security regression tests (issue 12): a migrated SQLite database, and the
channels served by a real Sanic server with a scripted bot (tests/channels/channels_harness)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from sanic import Sanic

from core.db import get_engine
from core.migrate import upgrade
from runtime.rest_channel import ResilientRestInput
from tests.channels.channels_harness import ScriptedBot, serve_sanic


@pytest.fixture
def sqlite_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite database, exported as IPPC_DATABASE_URL (with its own data folder)."""
    url = f"sqlite:///{tmp_path / 'security.db'}"
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    upgrade(url)
    yield url
    get_engine(url).dispose()


@asynccontextmanager
async def rest_server(bot: ScriptedBot) -> AsyncIterator[str]:
    """Our REST channel on a real Sanic server, as Rasa serves it (with an agent whose tracker
    store is not Rasa's fail-safe one); yields the webhook URL."""
    Sanic.test_mode = True
    app = Sanic(f"rest_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = SimpleNamespace(tracker_store=None)
    channel = ResilientRestInput.from_credentials(None)
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/rest")
    async with serve_sanic(app) as url:
        yield f"{url}/webhooks/rest/webhook"
