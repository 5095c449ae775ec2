"""Our SQL tracker store: Rasa's, checking each pooled connection before use
(``pool_pre_ping``, so that after a PostgreSQL restart the first message is not lost on a dead
pooled connection), and writing events without the digits that prove a case is the user's
(the ``phone_last4`` slot, the answer to its question, phone and ID numbers: see
``handoff.masking.scrub_events``). The conversation in memory is not changed; only what is
stored, so the stored events never hold the proof (issue 12, finding 10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event

from handoff.masking import requested_slot_before, scrub_events
from runtime.config_files import CLASS_PATH, pinging

__all__ = ["CLASS_PATH", "PingingSQLTrackerStore", "pinging"]


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose engine pings a connection before handing it out, and whose
    stored events are scrubbed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        events = list(super()._additional_events(session, tracker))
        earlier = [e.as_dict() for e in list(tracker.events)[: len(tracker.events) - len(events)]]
        cleaned = scrub_events([e.as_dict() for e in events], requested_slot_before(earlier))
        return iter(
            [Event.from_parameters(data) or e for data, e in zip(cleaned, events, strict=True)]
        )
