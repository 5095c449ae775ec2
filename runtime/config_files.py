"""The files the Rasa server reads, written from our settings: endpoints.yml (action server,
SQL tracker store, Redis lock store) and credentials.yml (the channels switched on)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from channels.credentials import build_credentials
from core.settings import Settings, tracker_event_cap
from runtime.channel_config import with_resilient_rest

# runtime.lock_store's classes, named here without importing Rasa
IN_MEMORY_CLASS_PATH = "runtime.lock_store.PromptInMemoryLockStore"
REDIS_CLASS_PATH = "runtime.lock_store.PromptRedisLockStore"

# A header name, not a secret; checked by runtime.action_server.
ACTION_TOKEN_HEADER = "X-IPPC-Action-Token"  # noqa: S105
# Our tracker store (runtime.tracker_store), named here so this module needs no Rasa import.
CLASS_PATH = "runtime.tracker_store.PingingSQLTrackerStore"


def pinging(tracker_store: dict) -> dict:
    """An endpoints.yml ``tracker_store`` entry of type SQL, switched to our class."""
    if str(tracker_store.get("type", "")).lower() != "sql":
        return tracker_store
    return {**tracker_store, "type": CLASS_PATH}


def write_endpoints(
    settings: Settings, directory: Path, environ: Mapping[str, str] = os.environ
) -> Path:
    """endpoints.yml: our action server (with the shared-secret header, written as a
    ``${IPPC_ACTION_TOKEN}`` reference that Rasa resolves from its environment: the file holds
    no secret), and the tracker store on the same database (with ``IPPC_TRACKER_EVENT_CAP``)."""
    endpoints: dict = {
        "action_endpoint": {
            "url": settings.action_endpoint,
            "headers": {ACTION_TOKEN_HEADER: "${IPPC_ACTION_TOKEN}"},
        }
    }
    tracker_url = environ.get("IPPC_TRACKER_STORE_URL") or settings.database_url
    endpoints["tracker_store"] = pinging(sql_tracker_store(tracker_url))
    if endpoints["tracker_store"]["type"] == CLASS_PATH:  # long sessions load as a window
        endpoints["tracker_store"]["event_cap"] = tracker_event_cap()
    lock_url = environ.get("IPPC_REDIS_URL")
    if lock_url:
        endpoints["lock_store"] = redis_lock_store(lock_url)
    else:  # Rasa's in-memory locks, polled promptly (runtime.lock_store)
        endpoints["lock_store"] = {"type": IN_MEMORY_CLASS_PATH}
    path = directory / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


def sql_tracker_store(url: str) -> dict:
    """Rasa's SQLTrackerStore settings for an SQLAlchemy URL (SQLite or PostgreSQL)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    store = {"type": "SQL", "dialect": parsed.drivername.split("+")[0], "db": parsed.database}
    if parsed.host:  # Rasa passes ``url`` on as the host name
        store.update(url=parsed.host, port=parsed.port or 5432)
    if parsed.username:
        store["username"] = parsed.username
    if parsed.password:
        store["password"] = parsed.password
    return store


def redis_lock_store(url: str) -> dict:
    """Rasa's RedisLockStore settings (our subclass, runtime.lock_store) for
    ``redis://[:password@]host[:port][/db]`` (or a bare host name): Rasa passes ``url`` on as
    the host name, so the URL must be taken apart."""
    parsed = urlsplit(url if "://" in url else f"redis://{url}")
    store: dict = {"type": REDIS_CLASS_PATH, "url": parsed.hostname or "localhost"}
    store["port"] = parsed.port or 6379
    database = parsed.path.strip("/")
    store["db"] = int(database) if database.isdigit() else 1
    if parsed.password:
        store["password"] = unquote(parsed.password)
    return store


def write_credentials(directory: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """credentials.yml: the channels switched on, REST served by runtime.rest_channel (400 for a
    malformed body, a clear reply when a message cannot be processed)."""
    path = directory / "credentials.yml"
    channels = with_resilient_rest(build_credentials(environ))
    path.write_text(yaml.safe_dump(channels, allow_unicode=True), encoding="utf-8")
    return path
