"""Builds rasa-sdk trackers the way the Rasa server sends them to the action server."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def tracker(
    text: str,
    intent: str = "fasttrack_eligibility",
    confidence: float = 0.9,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def entity(name: str, value: str, start: int = 0, end: int = 0) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": end}
