"""Fixtures of the channel tests: a migrated database (SQLite, and PostgreSQL in its own schema)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ippc.db import get_engine
from ippc.migrate import upgrade

POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _postgres_engine():  # noqa: ANN202 - an Engine or None
    engine = create_engine(POSTGRES_SERVER, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return engine
    except Exception:  # noqa: BLE001 - any failure means "not here"
        engine.dispose()
        return None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def outbox_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A migrated database, set as IPPC_DATABASE_URL for the code under test."""
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'channels.db'}"
        schema = None
    else:
        admin = _postgres_engine()
        if admin is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        schema = f"channels_test_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{POSTGRES_SERVER}?options=-csearch_path={schema}"
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    upgrade(url)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        if schema:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def sqlite_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The embedded default: a migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'channels.db'}"
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    upgrade(url)
    yield url
    get_engine(url).dispose()
