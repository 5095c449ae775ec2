"""The production stack on one machine: nginx in front of N Rasa servers and M action server
workers, trackers, cases and handoff in PostgreSQL, conversation locks in Redis.

Every process is a child of this one, with its log in ``workdir``; the stack stops with us.
Several machines are the same pieces with nginx's upstreams pointing across the network
(docs/deployment.md).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.migrate import upgrade
from core.paths import PROJECT_ROOT
from core.settings import get_settings
from deploy.nginx import NginxConfig, check_config, nginx_command, write_config
from runtime.config_files import sql_tracker_store, write_credentials, write_endpoints
from runtime.launch import action_server_command, rasa_server_command
from runtime.processes import Child, cpu_seconds, free_ports, resident_memory, wait_ready
from runtime.tracker_store import pinging

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 300


@dataclass
class StackSettings:
    """What to start, and where. Ports not given are taken free from ``port_range``."""

    model: Path
    database_url: str  # PostgreSQL in production: trackers, cases, handoff, outbox
    workdir: Path
    redis_url: str | None = None  # required with more than one Rasa server
    instances: int = 2
    action_workers: int = 2
    listen_port: int | None = None
    port_range: tuple[int, int] = (5400, 5499)
    action_timeout: str = "2500ms"
    extra_env: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # internal push
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))


class Stack:
    """Start, inspect, break and stop the processes of one deployment."""

    def __init__(self, settings: StackSettings) -> None:
        if settings.instances > 1 and not settings.redis_url:
            raise ValueError("more than one Rasa server needs the Redis lock store (redis_url)")
        self.settings = settings
        self.children: dict[str, Child] = {}
        self.workdir = settings.workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        low, high = settings.port_range
        wanted = settings.instances + settings.action_workers + (settings.listen_port is None)
        ports = free_ports(wanted, low, high, taken={settings.listen_port or 0})
        self.listen_port = settings.listen_port or ports.pop()
        self.rasa_ports = ports[: settings.instances]
        self.action_ports = ports[settings.instances :][: settings.action_workers]
        self.env = self._environment()

    # -- addresses -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.listen_port}"

    @property
    def rest_url(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.rasa_ports]

    @property
    def access_log(self) -> Path:
        return self.workdir / "nginx" / "access.log"

    # -- building --------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "IPPC_DATABASE_URL": self.settings.database_url,
            "IPPC_ACTION_ENDPOINT": f"http://{HOST}:{self.listen_port}/actions/webhook",
            "IPPC_INTERNAL_TOKEN": self.settings.token,
            "IPPC_ACTION_TOKEN": self.settings.action_token,
            "IPPC_ACTION_HOST": HOST,
            "IPPC_DATA_DIR": str(self.workdir / "data"),
            **self.settings.extra_env,
        }
        # Every Rasa server signs and checks widget resume tokens with the same key.
        env.setdefault("IPPC_WIDGET_SECRET", secrets.token_urlsafe(48))
        if self.settings.redis_url:
            env["IPPC_REDIS_URL"] = self.settings.redis_url
        else:
            env.pop("IPPC_REDIS_URL", None)
        return env

    def _write_rasa_files(self) -> tuple[Path, Path]:
        base = get_settings()
        settings = dataclasses.replace(
            base,
            database_url=self.settings.database_url,
            action_endpoint=self.env["IPPC_ACTION_ENDPOINT"],
        )
        endpoints = write_endpoints(settings, self.workdir, self.env)
        content = yaml.safe_load(endpoints.read_text(encoding="utf-8"))
        content["tracker_store"] = pinging(content["tracker_store"])
        endpoints.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
        return write_credentials(self.workdir, self.env), endpoints

    def _prepare_tracker_store(self) -> None:
        """Create Rasa's tracker tables once, before the servers race to create them."""
        store = sql_tracker_store(
            self.env.get("IPPC_TRACKER_STORE_URL") or self.env["IPPC_DATABASE_URL"]
        )
        store.pop("type")
        if "url" in store:
            store["host"] = store.pop("url")
        code = (
            "import json, sys; from rasa.core.tracker_store import SQLTrackerStore; "
            "SQLTrackerStore(**json.loads(sys.argv[1]))"
        )
        subprocess.run(
            [sys.executable, "-c", code, json.dumps(store)],
            env=self.env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def _plan(self, credentials: Path, endpoints: Path) -> None:
        (self.workdir / "data").mkdir(exist_ok=True)
        logs = self.workdir
        for index, port in enumerate(self.action_ports, 1):
            self.children[f"actions-{index}"] = Child(
                f"actions-{index}", action_server_command(port), self.env,
                logs / f"actions-{index}.log", f"http://{HOST}:{port}/health", PROJECT_ROOT,
            )  # fmt: skip
        for index, port in enumerate(self.rasa_ports, 1):
            command = rasa_server_command(self.settings.model, port, credentials, endpoints, HOST)
            self.children[f"rasa-{index}"] = Child(
                f"rasa-{index}", command, self.env, logs / f"rasa-{index}.log",
                f"http://{HOST}:{port}/", PROJECT_ROOT,
            )  # fmt: skip
        config = write_config(
            NginxConfig(
                listen=f"{HOST}:{self.listen_port}",
                rasa_servers=[f"{HOST}:{port}" for port in self.rasa_ports],
                action_servers=[f"{HOST}:{port}" for port in self.action_ports],
                prefix=self.workdir / "nginx",
                action_timeout=self.settings.action_timeout,
            )
        )
        check_config(config)
        self.children["nginx"] = Child(
            "nginx", nginx_command(config), self.env, logs / "nginx.log",
            f"{self.url}/nginx-health",
        )  # fmt: skip

    # -- running ---------------------------------------------------------------------------
    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> Stack:
        upgrade(self.settings.database_url)
        credentials, endpoints = self._write_rasa_files()
        self._plan(credentials, endpoints)
        try:
            for name, child in self.children.items():
                if name.startswith("actions") or name == "nginx":
                    child.start()
            self._prepare_tracker_store()
            for name, child in self.children.items():
                if name.startswith("rasa"):
                    child.start()
            wait_ready(list(self.children.values()), timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self, name: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Start a stopped or killed child again and wait until it answers."""
        child = self.children[name]
        child.stop()
        child.start()
        wait_ready([child], timeout)

    def memory(self) -> dict[str, int]:
        """Resident bytes of each running child."""
        return {n: resident_memory(c.pid) for n, c in self.children.items() if c.running}

    def log_sizes(self) -> dict[str, int]:
        """How long each child's log is now (to read only what comes after)."""
        return {n: c.log_path.stat().st_size for n, c in self.children.items()}

    def cpu(self) -> dict[str, float]:
        """CPU seconds each running child has used so far."""
        return {n: cpu_seconds(c.pid) for n, c in self.children.items() if c.running}

    def logs(self, since: dict[str, int] | None = None) -> str:
        """Every child's log (from the ``since`` sizes on), each under its name."""
        parts = []
        for name, child in self.children.items():
            data = child.log_path.read_bytes()[(since or {}).get(name, 0) :]
            parts.append(f"== {name} ==\n{data.decode(errors='replace')}")
        return "\n".join(parts)

    def stop(self) -> None:
        for name in ("nginx", *[n for n in self.children if n != "nginx"]):
            if name in self.children:
                self.children[name].stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
