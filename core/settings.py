"""Settings from the environment. Secrets are never in code: only their variable names are."""

from __future__ import annotations

import os
from dataclasses import dataclass

from core.paths import runtime_dir

# Environment of the Rasa processes we start (the caller's own values win): quieter
# TensorFlow, and no usage telemetry sent from a center's server unless it opts in.
RASA_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}


def env(name: str, default: str = "") -> str:
    """One setting from the environment, surrounding white space removed."""
    return os.environ.get(name, default).strip()


def count_setting(name: str, default: int, zero_means: str) -> int:
    """A whole number of at least 0 from the environment (``default`` when unset or empty);
    ``zero_means`` goes into the error message ("0 (off) or more")."""
    raw = env(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be 0 ({zero_means}) or more")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the running assistant reads from its environment."""

    database_url: str
    rasa_port: int
    action_port: int
    console_port: int
    action_endpoint: str

    @classmethod
    def fromenv(cls) -> Settings:
        action_port = int(env("IPPC_ACTION_PORT", "5055"))
        return cls(
            database_url=env("IPPC_DATABASE_URL") or f"sqlite:///{runtime_dir() / 'ippc.db'}",
            rasa_port=int(env("IPPC_RASA_PORT", "5005")),
            action_port=action_port,
            console_port=int(env("IPPC_CONSOLE_PORT", "5010")),
            action_endpoint=env("IPPC_ACTION_ENDPOINT")
            or f"http://localhost:{action_port}/webhook",
        )


def get_settings() -> Settings:
    """Read settings anew (cheap; lets tests change the environment)."""
    return Settings.fromenv()


def tracker_store_url() -> str:
    """Where Rasa's tracker store keeps the conversations (``IPPC_TRACKER_STORE_URL``, or the
    assistant's own database)."""
    return env("IPPC_TRACKER_STORE_URL") or get_settings().database_url


DEFAULT_TRACKER_EVENT_CAP = 60
MIN_TRACKER_EVENT_CAP = 40  # fewer would leave the policies too few turns to look at


def tracker_event_cap() -> int:
    """``IPPC_TRACKER_EVENT_CAP``: a conversation session with more stored events than this is
    loaded as its latest events only (about this many, from a user turn on), after its current
    slots and form; 0 loads every event of the session, as Rasa does (runtime.tracker_store)."""
    value = count_setting("IPPC_TRACKER_EVENT_CAP", DEFAULT_TRACKER_EVENT_CAP, "no cap")
    if 0 < value < MIN_TRACKER_EVENT_CAP:
        raise ValueError(
            f"IPPC_TRACKER_EVENT_CAP must be 0 (no cap) or at least {MIN_TRACKER_EVENT_CAP}"
        )
    return value
