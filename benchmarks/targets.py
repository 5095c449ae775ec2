"""What the benchmark measures: ``ippc run`` as shipped, the reference assistant made by
``rasa init``, and the production stack (deploy/) with one and with two Rasa servers.

Each target is started, answers on a REST URL, reports its processes' resident memory, and
is stopped again before the next one starts, so no two targets share the cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from runtime.processes import Child, free_ports, resident_memory, wait_ready

START_TIMEOUT = 300
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}


def children_of(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_label(pid: int) -> str:
    line = command_line(pid)
    for marker, label in (
        ("rasa_sdk", "action server"),
        ("rasa run", "rasa server"),
        ("-m rasa run", "rasa server"),
        ("handoff.console", "staff console"),
    ):
        if marker in line:
            return label
    return line.split(" ")[2] if line.count(" ") > 2 else line


@dataclass
class IppcRun:
    """``ippc run`` with its embedded defaults (SQLite), ports from this area's range."""

    workdir: Path
    models_dir: Path
    child: Child | None = None
    rest_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    def start(self) -> IppcRun:
        """Launch, then wait for the "is running" line of its log."""
        self.launch()
        deadline = time.monotonic() + START_TIMEOUT
        while "ippc-assistant is running" not in self.child.log_tail(10**6):
            if not self.child.running or time.monotonic() > deadline:
                raise RuntimeError("ippc run did not start:\n" + self.child.log_tail())
            time.sleep(1)
        return self

    def launch(self) -> IppcRun:
        """Start ``ippc run`` on free ports without waiting for it (``rest_url`` is set)."""
        rasa, action, console = free_ports(3)
        self.env = {
            **os.environ,
            **QUIET_ENV,
            "IPPC_MODELS_DIR": str(self.models_dir),
            "IPPC_DATA_DIR": str(self.workdir / "data"),
            "IPPC_DATABASE_URL": f"sqlite:///{self.workdir / 'data' / 'ippc.db'}",
            "IPPC_RASA_PORT": str(rasa),
            "IPPC_ACTION_PORT": str(action),
            "IPPC_ACTION_ENDPOINT": f"http://127.0.0.1:{action}/webhook",
            "IPPC_CONSOLE_PORT": str(console),
            "IPPC_WORKING_HOURS": "24x7",
            **self.extra_env,
        }
        for name in ("IPPC_REDIS_URL", "IPPC_TRACKER_STORE_URL"):
            self.env.pop(name, None)
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "ippc.cli", "run"]
        log = self.workdir / "ippc-run.log"
        log.unlink(missing_ok=True)  # its "is running" line must be this run's
        self.child = Child("ippc run", command, self.env, log).start()
        self.rest_url = f"http://127.0.0.1:{rasa}/webhooks/rest/webhook"
        return self

    def memory(self) -> dict[str, int]:
        return {process_label(pid): resident_memory(pid) for pid in children_of(self.child.pid)}

    def stop(self) -> None:
        if self.child:
            self.child.stop(timeout=30)


@dataclass
class ReferenceAssistant:
    """``rasa init --no-prompt`` in a temporary folder (trained there), served by ``rasa run``
    with Rasa's defaults (in-memory tracker store; the moodbot has no custom actions)."""

    workdir: Path
    child: Child | None = None
    rest_url: str = ""
    training_seconds: float = 0.0

    def create(self) -> ReferenceAssistant:
        """``rasa init`` writes the project and trains it; that training is what is timed."""
        project = self.workdir / "moodbot"
        project.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
            cwd=project, env={**os.environ, **QUIET_ENV}, capture_output=True, text=True,
            timeout=1200,
        )  # fmt: skip
        self.training_seconds = time.monotonic() - started
        if result.returncode != 0 or not list((project / "models").glob("*.tar.gz")):
            raise RuntimeError("rasa init failed:\n" + (result.stdout + result.stderr)[-3000:])
        return self

    def start(self) -> ReferenceAssistant:
        project = self.workdir / "moodbot"
        (port,) = free_ports(1)
        command = [sys.executable, "-m", "rasa", "run", "--port", str(port), "--enable-api"]
        env = {**os.environ, **QUIET_ENV}
        self.child = Child(
            "rasa server", command, env, self.workdir / "reference.log",
            f"http://127.0.0.1:{port}/", project,
        ).start()  # fmt: skip
        wait_ready([self.child], START_TIMEOUT)
        self.rest_url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        return self

    def memory(self) -> dict[str, int]:
        return {"rasa server": resident_memory(self.child.pid)}

    def stop(self) -> None:
        if self.child:
            self.child.stop(timeout=30)
