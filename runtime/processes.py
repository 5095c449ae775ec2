"""Child processes of a stack: started with a log file each, awaited until they answer, stopped
one by one (a fault test kills and restarts single processes), and measured (resident memory)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def unused_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports the kernel has no listener on. All sockets stay bound until every
    port is chosen: binding one at a time can hand out the same port twice (seen in CI, where the
    action server and the staff console of one test assistant were both given 54101)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def unused_port(host: str = "127.0.0.1") -> int:
    """One port the kernel has no listener on (see :func:`unused_ports`)."""
    return unused_ports(1, host)[0]


def free_ports(
    count: int, start: int = 5400, end: int = 5499, taken: set[int] | None = None
) -> list[int]:
    """``count`` free ports in ``[start, end]`` (the range given to this area), lowest first."""
    taken = taken or set()
    ports = [p for p in range(start, end + 1) if p not in taken and port_is_free(p)]
    if len(ports) < count:
        raise RuntimeError(f"fewer than {count} free ports in {start}-{end}")
    return ports[:count]


def answers(url: str, timeout: float = 2) -> bool:
    """True when ``url`` answers with a status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status < 500
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False


def resident_memory(pid: int) -> int:
    """Resident set size of one process in bytes (``/proc``; 0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (``/proc``; 0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine have spent not idle since boot (``/proc/stat``),
    whoever used them: the difference over an interval shows whether the CPU was the limit."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Child:
    """One process of the stack."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str | None = None
    cwd: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Child:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def ready(self) -> bool:
        return self.running and (self.ready_url is None or answers(self.ready_url))

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL: what a crash looks like to the rest of the stack."""
        if self.running:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_ready(children: list[Child], timeout: float) -> None:
    """Wait until every child answers; raise with the log of the first one that died or hung."""
    deadline = time.monotonic() + timeout
    pending = list(children)
    while pending:
        for child in pending:
            if not child.running:
                raise RuntimeError(f"{child.name} exited:\n{child.log_tail()}")
        pending = [child for child in pending if not child.ready()]
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"{pending[0].name} not ready after {timeout:.0f} s")
        if pending:
            time.sleep(0.5)
