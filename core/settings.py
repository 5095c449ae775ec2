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
