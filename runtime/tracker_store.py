"""Rasa's SQL tracker store, checking each pooled connection before use (``pool_pre_ping``), so
that after a PostgreSQL restart the first message is not lost on a dead pooled connection."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

CLASS_PATH = "runtime.tracker_store.PingingSQLTrackerStore"


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose engine pings a connection before handing it out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


def pinging(tracker_store: dict) -> dict:
    """An endpoints.yml ``tracker_store`` entry of type SQL, switched to this class."""
    if str(tracker_store.get("type", "")).lower() != "sql":
        return tracker_store
    return {**tracker_store, "type": CLASS_PATH}
