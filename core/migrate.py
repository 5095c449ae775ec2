"""Bring the database schema up to date with Alembic (all branches: cases, handoff, ...).

The one place that migrates: ``ippc run`` (and ``python -m deploy``) at start-up, before any
server starts, and each ``ippc`` command that uses the database. Area code never migrates; it
expects the current schema (tests migrate in their fixtures)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import SQLAlchemyError

from core.errors import CliError
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


def migrated_for_command(url: str | None = None) -> str:
    """The database URL of an ``ippc`` command, migrated; one line of reason when the database
    cannot be reached."""
    url = url or get_settings().database_url
    try:
        upgrade(url)
    except SQLAlchemyError as error:
        raise CliError(f"database unavailable: {error.__class__.__name__}") from None
    return url
