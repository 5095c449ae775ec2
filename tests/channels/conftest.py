"""Fixtures of the channel tests: a migrated database (SQLite, and PostgreSQL in its own schema)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import get_engine
from core.migrate import upgrade


@pytest.fixture
def outbox_db(database_url: str) -> str:
    """A migrated database (SQLite, then PostgreSQL), set as IPPC_DATABASE_URL."""
    upgrade(database_url)
    return database_url


@pytest.fixture
def sqlite_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The embedded default: a migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'channels.db'}"
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    upgrade(url)
    yield url
    get_engine(url).dispose()
