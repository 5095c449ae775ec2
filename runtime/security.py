"""Which mode ``ippc run`` is in, what it refuses to start with, and a warning for every
unsafe default it runs with (docs/security.md). Light module: no Rasa import.

With no settings the run is a local-development run: every process listens on 127.0.0.1 and
the REST channel is open there without a token (as the outside contract uses it). Listening on
any other address needs ``IPPC_REST_TOKEN`` or REST switched off (``IPPC_REST_ENABLED=0``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from channels.credentials import rest_enabled
from channels.settings import demo_page_enabled, is_loopback
from core.errors import CliError

LOCAL = "local development"
PUBLIC = "production"
# Secrets ``ippc run`` makes up for one run when they are not set (children get them by
# environment, never on a command line).
GENERATED_PER_RUN = ("IPPC_INTERNAL_TOKEN", "IPPC_ACTION_TOKEN")
WIDGET_SECRET_FILE = "widget-secret"  # noqa: S105 - a file name under data/, not a secret


def _get(environ: Mapping[str, str], name: str, default: str = "") -> str:
    return (environ.get(name) or default).strip()


@dataclass(frozen=True)
class RunSecurity:
    """The result of :func:`check`: the mode line and one line per unsafe default."""

    mode: str
    hosts: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        where = ", ".join(f"{name} on {host}" for name, host in self.hosts.items())
        return [f"mode: {self.mode} ({where})", *(f"warning: {w}" for w in self.warnings)]


def listen_hosts(environ: Mapping[str, str]) -> dict[str, str]:
    """Where each process listens: Rasa server, action server, staff console."""
    return {
        "rasa server": _get(environ, "IPPC_HOST", "127.0.0.1"),
        "action server": _get(environ, "IPPC_ACTION_HOST", "127.0.0.1"),
        "staff console": _get(environ, "IPPC_CONSOLE_HOST", "127.0.0.1"),
    }


def check(environ: Mapping[str, str]) -> RunSecurity:
    """The run's mode and warnings; CliError for a combination ``ippc run`` refuses."""
    hosts = listen_hosts(environ)
    public = [name for name, host in hosts.items() if not is_loopback(host)]
    rest_on, rest_token = rest_enabled(environ), _get(environ, "IPPC_REST_TOKEN")
    if not is_loopback(hosts["rasa server"]) and rest_on and not rest_token:
        raise CliError(
            f"IPPC_HOST={hosts['rasa server']} is not loopback: set IPPC_REST_TOKEN "
            "(REST then needs a bearer token) or IPPC_REST_ENABLED=0"
        )
    if rest_token and len(rest_token) < 16:
        raise CliError("IPPC_REST_TOKEN must have at least 16 characters")
    mode = PUBLIC if public else LOCAL
    return RunSecurity(mode, hosts, _warnings(environ, hosts, rest_on and not rest_token))


def _warnings(environ: Mapping[str, str], hosts: dict[str, str], rest_open: bool) -> list[str]:
    warnings = []
    if rest_open:
        warnings.append(
            "REST channel open without a token (IPPC_REST_TOKEN unset): anyone who reaches "
            f"{hosts['rasa server']} can talk to the bot as any REST sender"
        )
    if not is_loopback(hosts["action server"]):
        warnings.append(
            f"action server listens on {hosts['action server']}: keep it behind a firewall "
            "(it checks IPPC_ACTION_TOKEN)"
        )
    if not _get(environ, "IPPC_WIDGET_SECRET"):
        warnings.append(
            "IPPC_WIDGET_SECRET unset: widget resume tokens are signed with a key kept in the "
            "data folder (not shared by several servers)"
        )
    if not _get(environ, "IPPC_WIDGET_ORIGINS"):
        warnings.append("IPPC_WIDGET_ORIGINS unset: any web site may embed the chat widget")
    if demo_page_enabled(environ):
        warnings.append("widget demo page is on (IPPC_WIDGET_DEMO=0 switches it off)")
    if not is_loopback(hosts["staff console"]) and not _get(environ, "IPPC_TRUSTED_PROXIES"):
        warnings.append(
            "staff console is reachable from the network without IPPC_TRUSTED_PROXIES: "
            "serve it through the HTTPS proxy"
        )
    if _get(environ, "IPPC_WECHAT_TOKEN") and not _get(environ, "IPPC_WECHAT_AES_KEY"):
        warnings.append("WeChat in plaintext mode (IPPC_WECHAT_AES_KEY unset): bodies unsigned")
    if _get(environ, "IPPC_TELEGRAM_TOKEN") and not _get(environ, "IPPC_TELEGRAM_SECRET"):
        warnings.append("IPPC_TELEGRAM_SECRET unset: every Telegram update is refused")
    if _get(environ, "IPPC_RASA_API_TOKEN"):
        warnings.append("Rasa's HTTP API is on (IPPC_RASA_API_TOKEN): it can read every tracker")
    warnings.append(
        "nothing is deleted automatically: run `ippc purge --older-than 180d` regularly"
    )
    return warnings


def fill_run_secrets(environ: MutableMapping[str, str], data_dir: Path) -> None:
    """Make up the per-run tokens, and the widget key (kept in ``data_dir`` so that widget
    conversations survive a restart), for what the environment does not set."""
    for name in GENERATED_PER_RUN:
        if not _get(environ, name):
            environ[name] = secrets.token_urlsafe(32)
    if not _get(environ, "IPPC_WIDGET_SECRET"):
        environ["IPPC_WIDGET_SECRET"] = _stored_secret(data_dir / WIDGET_SECRET_FILE)


def _stored_secret(path: Path) -> str:
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if len(value) >= 32:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value
