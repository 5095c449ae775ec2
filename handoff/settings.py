"""Settings of the handoff area, read from the environment (secrets never in code)."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import env


@dataclass(frozen=True)
class HandoffSettings:
    console_host: str
    console_port: int
    session_minutes: int
    secure_cookies: bool
    working_hours: str
    center: str | None
    rating_window_minutes: int
    minutes_per_waiting_user: int

    @classmethod
    def fromenv(cls) -> HandoffSettings:
        return cls(
            console_host=env("IPPC_CONSOLE_HOST", "127.0.0.1"),
            console_port=int(env("IPPC_CONSOLE_PORT", "5010")),
            # A console session expires this long after login.
            session_minutes=int(env("IPPC_CONSOLE_SESSION_MINUTES", "480")),
            # Behind HTTPS set IPPC_CONSOLE_SECURE_COOKIES=1 so cookies never travel in clear.
            secure_cookies=env("IPPC_CONSOLE_SECURE_COOKIES") in {"1", "true", "yes"},
            working_hours=env("IPPC_WORKING_HOURS"),
            # Tickets are stamped with this center; empty: the center of center_info.yml.
            center=env("IPPC_HANDOFF_CENTER") or None,
            # After staff close a ticket the user may rate it for this long.
            rating_window_minutes=int(env("IPPC_HANDOFF_RATING_MINUTES", "60")),
            # Expected wait before any ticket has been claimed (per user ahead, plus one).
            minutes_per_waiting_user=int(env("IPPC_HANDOFF_MINUTES_PER_USER", "5")),
        )


def get_handoff_settings() -> HandoffSettings:
    return HandoffSettings.fromenv()


def database_url(url: str | None = None) -> str:
    """``url``, else IPPC_DATABASE_URL read now (never cached as "the default")."""
    from core.settings import get_settings

    return url or get_settings().database_url
