"""Fixtures of the security regression tests (issue 12): a migrated SQLite database, and the
channels served by a real Sanic server with a scripted bot (tests/channels/channels_harness)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import get_engine
from core.migrate import upgrade


@pytest.fixture
def sqlite_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite database, exported as IPPC_DATABASE_URL (with its own data folder)."""
    url = f"sqlite:///{tmp_path / 'security.db'}"
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    upgrade(url)
    yield url
    get_engine(url).dispose()
