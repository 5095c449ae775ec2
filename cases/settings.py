"""Settings of the case lookup, read from the environment (secrets only from there)."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import env


def _float(name: str, default: float) -> float:
    raw = env(name)
    try:
        return float(raw) if raw else default
    except ValueError as error:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from error


def _int(name: str, default: int) -> int:
    raw = env(name)
    try:
        return int(raw) if raw else default
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from error


@dataclass(frozen=True)
class CaseSettings:
    """Which backend answers lookups, how long we wait for it, and the lockout rule."""

    backend: str  # "sql" (the assistant's own database) or "http" (the center's system)
    http_url: str
    http_token: str
    http_timeout: float  # seconds per attempt
    deadline: float  # seconds for the whole lookup, retry included: the user never waits longer
    breaker_failures: int  # consecutive failed lookups that open the circuit
    breaker_reset: float  # seconds the circuit stays open before one trial request
    lockout_failures: int
    lockout_window: float  # seconds: failures counted in this window; lockout lasts as long
    client_failures: int = 20  # per caller address / channel user, whatever the conversation
    global_failures: int = 500  # all lookups together, against a distributed search

    @classmethod
    def fromenv(cls) -> CaseSettings:
        backend = env("IPPC_CASES_BACKEND", "sql").lower()
        if backend not in {"sql", "http"}:
            raise ValueError(f"IPPC_CASES_BACKEND must be 'sql' or 'http', not {backend!r}")
        return cls(
            backend=backend,
            http_url=env("IPPC_CASES_HTTP_URL").rstrip("/"),
            http_token=env("IPPC_CASES_HTTP_TOKEN"),
            http_timeout=_float("IPPC_CASES_HTTP_TIMEOUT", 0.7),
            deadline=_float("IPPC_CASES_DEADLINE", 1.5),
            breaker_failures=_int("IPPC_CASES_BREAKER_FAILURES", 3),
            breaker_reset=_float("IPPC_CASES_BREAKER_RESET", 30.0),
            lockout_failures=_int("IPPC_CASES_LOCKOUT_FAILURES", 5),
            lockout_window=_float("IPPC_CASES_LOCKOUT_WINDOW", 3600.0),
            client_failures=_int("IPPC_CASES_CLIENT_FAILURES", 20),
            global_failures=_int("IPPC_CASES_GLOBAL_FAILURES", 500),
        )


def get_case_settings() -> CaseSettings:
    return CaseSettings.fromenv()
