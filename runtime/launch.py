"""The processes of one assistant - action server, Rasa server, staff console - started as
children, awaited until each answers, supervised and stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from channels.settings import demo_page_enabled, is_loopback
from channels.urls import DEMO_PAGE_PATH, SCRIPT_PATH
from core.errors import CliError
from core.paths import PROJECT_ROOT
from core.settings import RASA_ENV, Settings
from runtime.config_files import write_credentials, write_endpoints
from runtime.processes import answers
from runtime.security import listen_hosts

READY_TIMEOUT_SECONDS = 180


@dataclass
class Service:
    name: str
    command: list[str]
    ready_url: str | None = None
    urls: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None


def action_server_command(port: int) -> list[str]:
    """The action server (rasa_sdk, package ``actions``) on ``port``, on IPPC_ACTION_HOST and
    behind IPPC_ACTION_TOKEN (both read from its environment)."""
    return [sys.executable, "-m", "runtime.action_server", "--port", str(port)]


def rasa_server_command(
    model: Path, port: int, credentials: Path, endpoints: Path, host: str = "127.0.0.1"
) -> list[str]:
    """One Rasa server (REST and the other channels) on ``host``. No secret on this command
    line: Rasa's HTTP API is on only with IPPC_RASA_API_TOKEN, read by runtime.rasa_main."""
    return [
        sys.executable, "-m", "runtime.rasa_main", "run",
        "--model", str(model),
        "--interface", host,
        "--port", str(port),
        "--credentials", str(credentials),
        "--endpoints", str(endpoints),
    ]  # fmt: skip


def check_distinct_ports(settings: Settings) -> None:
    """Two services given one port would fail to start with a bare "address already in use"
    after the first one is up; say which settings collide before anything starts."""
    ports = {
        "IPPC_RASA_PORT": settings.rasa_port,
        "IPPC_ACTION_PORT": settings.action_port,
        "IPPC_CONSOLE_PORT": settings.console_port,
    }
    seen: dict[int, str] = {}
    for name, port in ports.items():
        if port in seen:
            raise CliError(
                f"{seen[port]} and {name} are both {port}: give each service its own port"
            )
        seen[port] = name


def plan_services(settings: Settings, model: Path, directory: Path) -> list[Service]:
    check_distinct_ports(settings)
    rasa_url = f"http://localhost:{settings.rasa_port}"
    endpoints = write_endpoints(settings, directory)
    hosts = listen_hosts(os.environ)
    host = hosts["rasa server"]
    services = [
        Service(
            "action server",
            action_server_command(settings.action_port),
            ready_url=f"{_local(hosts['action server'])}:{settings.action_port}/health",
            urls={"action server": f"http://localhost:{settings.action_port}/webhook"},
        ),
        Service(
            "rasa server",
            rasa_server_command(
                model, settings.rasa_port, write_credentials(directory), endpoints, host
            ),
            ready_url=f"{_local(host)}:{settings.rasa_port}/",
            urls={"REST channel": f"{rasa_url}/webhooks/rest/webhook", **widget_urls(rasa_url)},
        ),
    ]
    console_url = f"http://localhost:{settings.console_port}"
    services.append(
        Service(
            "staff console",
            [sys.executable, "-m", "handoff.console"],
            ready_url=f"{_local(hosts['staff console'])}:{settings.console_port}/login",
            urls={"staff console": f"{console_url}/"},
        )
    )
    return services


def _local(host: str) -> str:
    """How this machine reaches a server listening on ``host``."""
    return (
        "http://localhost"
        if host in ("0.0.0.0", "::") or is_loopback(host)  # noqa: S104 - comparing, not binding
        else f"http://{host}"
    )


def widget_urls(rasa_url: str) -> dict[str, str]:
    """The web widget's script, and its demo page when that is switched on."""
    urls = {"widget snippet": rasa_url + SCRIPT_PATH}
    if demo_page_enabled():
        urls = {"web widget demo": rasa_url + DEMO_PAGE_PATH, **urls}
    return urls


def _stop(services: list[Service]) -> None:
    for service in services:
        if service.process and service.process.poll() is None:
            service.process.terminate()
    for service in services:
        if service.process:
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.process.kill()


def supervise(services: list[Service]) -> None:
    """Start every service, wait until each answers, print the URLs, then return only when
    one stops (as an error); all are stopped on the way out."""
    env = {**RASA_ENV, **os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    signal.signal(signal.SIGTERM, lambda *_: (_stop(services), sys.exit(0)))
    try:
        for service in services:
            service.process = subprocess.Popen(service.command, env=env, cwd=PROJECT_ROOT)
        _wait_ready(services)
        print("ippc-assistant is running:", flush=True)
        for service in services:
            for label, url in service.urls.items():
                print(f"  {label}: {url}", flush=True)
        while all(s.process and s.process.poll() is None for s in services):
            time.sleep(1)
        failed = next(s for s in services if s.process and s.process.poll() is not None)
        raise CliError(f"{failed.name} stopped with code {failed.process.returncode}")
    finally:
        _stop(services)


def _wait_ready(services: list[Service]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = [s for s in services if s.ready_url]
    while pending and time.monotonic() < deadline:
        for service in services:
            if service.process and service.process.poll() is not None:
                raise CliError(f"{service.name} exited with code {service.process.returncode}")
        pending = [s for s in pending if not answers(s.ready_url)]
        time.sleep(1)
    if pending:
        raise CliError(f"not ready after {READY_TIMEOUT_SECONDS} s: {pending[0].name}")
