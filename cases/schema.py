"""Make sure the database has the current schema before the first use in a process."""

from __future__ import annotations

import threading

from core.migrate import upgrade
from core.settings import get_settings

_ready: set[str] = set()
_lock = threading.Lock()


def ensure_schema(url: str | None = None) -> str:
    """Apply pending migrations once per process and database; returns the URL used."""
    url = url or get_settings().database_url
    with _lock:
        if url not in _ready:
            upgrade(url)
            _ready.add(url)
    return url
