"""Fixtures of the case tests: every test that touches a database runs once on SQLite and once
on the real PostgreSQL server, each in its own schema, dropped afterwards."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cases.settings import CaseSettings
from core.migrate import upgrade

HEADER = "case_number,case_type,applicant,phone,status,updated_at,note"
SAMPLE_ROWS = (
    "YS2025000123,预审,测试科技有限公司,13812345678,预审中,2025-03-14,",
    "BA2024000456,备案,张三丰,13900001111,备案通过,2024-12-01 09:30,有效期三年",
    "WQ2025000789,维权,深圳某某电子有限公司,13711112222,调解中,2025/04/02,",
)


@pytest.fixture
def db_url(database_url: str) -> str:
    """A fresh database with the current schema (SQLite, then PostgreSQL), as
    IPPC_DATABASE_URL: area code never migrates, ippc run and the commands do."""
    upgrade(database_url)
    return database_url


@pytest.fixture
def sample_rows() -> tuple[str, ...]:
    """Three valid CSV rows, one case of each type."""
    return SAMPLE_ROWS


@pytest.fixture
def write_csv(tmp_path: Path):  # returns a helper
    """Writes a CSV (header added unless ``header=None``) and returns its path."""

    def write(
        rows: list[str] | tuple[str, ...],
        header: str | None = HEADER,
        name: str = "cases.csv",
        encoding: str = "utf-8",
        bom: bool = False,
    ) -> Path:
        lines = ([header] if header is not None else []) + list(rows)
        data = ("\n".join(lines) + "\n").encode(encoding)
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return write


@pytest.fixture
def case_settings():  # returns a factory
    """CaseSettings with the production defaults and the given changes."""

    def make(**changes: object) -> CaseSettings:
        defaults = CaseSettings(
            backend="sql",
            http_url="",
            http_token="",
            http_timeout=0.7,
            deadline=1.5,
            breaker_failures=3,
            breaker_reset=30.0,
            lockout_failures=5,
            lockout_window=3600.0,
        )
        return replace(defaults, **changes)

    return make
