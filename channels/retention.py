"""Retention of the channels area: the outbox and the webhook replay guard (``ippc purge``)."""

from __future__ import annotations

from datetime import datetime

from channels import outbox, replay


def purge(before: datetime, url: str | None = None) -> dict[str, int]:
    return {
        "channel_outbox": outbox.purge(before, url),
        "channel_replay_guard": replay.purge(before, url),
    }
