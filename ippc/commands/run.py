"""``ippc run``: the whole assistant - Rasa server, action server and staff console - as
child processes with the embedded defaults (SQLite, no other server needed)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from channels.credentials import build_credentials
from core.errors import CliError
from core.migrate import upgrade
from core.model_files import latest_model
from core.paths import PROJECT_ROOT, runtime_dir
from core.settings import RASA_ENV, Settings, get_settings
from deploy.channel_config import with_resilient_rest
from handoff.first_run import first_admin_hint

READY_TIMEOUT_SECONDS = 180


@dataclass
class Service:
    name: str
    command: list[str]
    ready_url: str | None = None
    urls: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start the assistant and print its URLs")
    parser.add_argument("--model", help="model file (default: the latest in models/)")
    parser.set_defaults(func=run)


def write_endpoints(
    settings: Settings, directory: Path, environ: Mapping[str, str] = os.environ
) -> Path:
    """endpoints.yml: our action server, and the tracker store on the same database."""
    endpoints: dict = {"action_endpoint": {"url": settings.action_endpoint}}
    tracker_url = environ.get("IPPC_TRACKER_STORE_URL") or settings.database_url
    endpoints["tracker_store"] = sql_tracker_store(tracker_url)
    lock_url = environ.get("IPPC_REDIS_URL")
    if lock_url:
        endpoints["lock_store"] = redis_lock_store(lock_url)
    path = directory / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


def sql_tracker_store(url: str) -> dict:
    """Rasa's SQLTrackerStore settings for an SQLAlchemy URL (SQLite or PostgreSQL)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    store = {"type": "SQL", "dialect": parsed.drivername.split("+")[0], "db": parsed.database}
    if parsed.host:  # Rasa passes ``url`` on as the host name
        store.update(url=parsed.host, port=parsed.port or 5432)
    if parsed.username:
        store["username"] = parsed.username
    if parsed.password:
        store["password"] = parsed.password
    return store


def redis_lock_store(url: str) -> dict:
    """Rasa's RedisLockStore settings for ``redis://[:password@]host[:port][/db]`` (or a bare
    host name): Rasa passes ``url`` on as the host name, so the URL must be taken apart."""
    parsed = urlsplit(url if "://" in url else f"redis://{url}")
    store: dict = {"type": "redis", "url": parsed.hostname or "localhost"}
    store["port"] = parsed.port or 6379
    database = parsed.path.strip("/")
    store["db"] = int(database) if database.isdigit() else 1
    if parsed.password:
        store["password"] = unquote(parsed.password)
    return store


def write_credentials(directory: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """credentials.yml: the channels switched on, REST served by deploy.rest_channel (400 for a
    malformed body, a clear reply when a message cannot be processed)."""
    path = directory / "credentials.yml"
    channels = with_resilient_rest(build_credentials(environ))
    path.write_text(yaml.safe_dump(channels, allow_unicode=True), encoding="utf-8")
    return path


def action_server_command(port: int) -> list[str]:
    """The action server (rasa_sdk, package ``actions``) on ``port``."""
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def rasa_server_command(
    model: Path, port: int, credentials: Path, endpoints: Path, token: str | None = None
) -> list[str]:
    """One Rasa server (REST and the other channels, HTTP API behind the internal token)."""
    return [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--port", str(port),
        "--credentials", str(credentials),
        "--endpoints", str(endpoints),
        "--cors", "*",
        "--enable-api",
        "--auth-token", token or os.environ["IPPC_INTERNAL_TOKEN"],
    ]  # fmt: skip


def plan_services(settings: Settings, model: Path, directory: Path) -> list[Service]:
    rasa_url = f"http://localhost:{settings.rasa_port}"
    endpoints = write_endpoints(settings, directory)
    services = [
        Service(
            "action server",
            action_server_command(settings.action_port),
            ready_url=f"http://localhost:{settings.action_port}/health",
            urls={"action server": f"http://localhost:{settings.action_port}/webhook"},
        ),
        Service(
            "rasa server",
            rasa_server_command(model, settings.rasa_port, write_credentials(directory), endpoints),
            ready_url=f"{rasa_url}/",
            urls={"REST channel": f"{rasa_url}/webhooks/rest/webhook", **widget_urls(rasa_url)},
        ),
    ]
    if importlib.util.find_spec("handoff.console") is not None:
        console_url = f"http://localhost:{settings.console_port}"
        services.append(
            Service(
                "staff console",
                [sys.executable, "-m", "handoff.console"],
                ready_url=f"{console_url}/login",
                urls={"staff console": f"{console_url}/"},
            )
        )
    return services


def widget_urls(rasa_url: str) -> dict[str, str]:
    """The web widget's demo page and script, when the channel provides them."""
    try:
        from channels import webchat
    except ImportError:
        return {}
    return {
        "web widget demo": rasa_url + getattr(webchat, "DEMO_PAGE_PATH", "/webhooks/webchat/demo"),
        "widget snippet": rasa_url + getattr(webchat, "SCRIPT_PATH", "/webhooks/webchat/widget.js"),
    }


def _is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our localhost
            return response.status < 500
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False


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


def run(args: argparse.Namespace) -> int:
    model = Path(args.model) if args.model else latest_model()
    if model is None or not model.exists():
        raise CliError("no trained model found: run `ippc train` first")
    os.environ.setdefault("IPPC_INTERNAL_TOKEN", secrets.token_urlsafe(24))
    settings = get_settings()
    upgrade(settings.database_url)
    directory = runtime_dir()
    services = plan_services(settings, model, directory)
    env = {**RASA_ENV, **os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    signal.signal(signal.SIGTERM, lambda *_: (_stop(services), sys.exit(0)))
    try:
        for service in services:
            service.process = subprocess.Popen(service.command, env=env, cwd=PROJECT_ROOT)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        pending = [s for s in services if s.ready_url]
        while pending and time.monotonic() < deadline:
            for service in services:
                if service.process and service.process.poll() is not None:
                    raise CliError(f"{service.name} exited with code {service.process.returncode}")
            pending = [s for s in pending if not _is_ready(s.ready_url)]
            time.sleep(1)
        if pending:
            raise CliError(f"not ready after {READY_TIMEOUT_SECONDS} s: {pending[0].name}")
        print("ippc-assistant is running:", flush=True)
        for service in services:
            for label, url in service.urls.items():
                print(f"  {label}: {url}", flush=True)
        if hint := first_admin_hint(settings.database_url):
            print(hint, flush=True)
        while all(s.process and s.process.poll() is None for s in services):
            time.sleep(1)
        failed = next(s for s in services if s.process and s.process.poll() is not None)
        raise CliError(f"{failed.name} stopped with code {failed.process.returncode}")
    finally:
        _stop(services)
