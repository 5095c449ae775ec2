"""Bring the database schema up to date with Alembic (all branches: cases, handoff, ...)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from core.paths import PROJECT_ROOT
from core.settings import get_settings


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser interpolates "%": escape it (URL-encoded passwords, options=...%3D...).
    config.set_main_option(
        "sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%")
    )
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every pending migration of every branch ("heads")."""
    command.upgrade(alembic_config(url), "heads")
