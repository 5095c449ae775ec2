"""Start-up: how long ``ippc run`` takes until the REST channel answers a message.

    .venv/bin/python -m benchmarks.startup [--starts 3]

Each start launches ``ippc run`` with the latest trained model (a fresh data folder, free
ports, SQLite), then posts a greeting every 0.2 s until an answer with a bot message comes back,
and prints the seconds from the launch; the process group is stopped before the next start.
Asserts nothing: it prints figures (issue 14 asks for at most 20 s).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from benchmarks.dialogues import IPPC_DIALOGUES
from benchmarks.targets import QUIET_ENV, START_TIMEOUT
from runtime.processes import free_ports

GREETING = IPPC_DIALOGUES[0][0]  # the first thing the load's users say


def answered(url: str) -> bool:
    """The REST channel answered a greeting with at least one bot message."""
    body = json.dumps({"sender": "startup-check", "message": GREETING}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status == 200 and bool(json.load(response))
    except (OSError, ValueError, urllib.error.URLError):
        return False


def one_start() -> float:
    """Seconds from launching ``ippc run`` until REST answers."""
    rasa, action, console = free_ports(3)
    env = {
        **os.environ,
        **QUIET_ENV,
        "IPPC_DATA_DIR": tempfile.mkdtemp(prefix="ippc-startup-"),
        "IPPC_RASA_PORT": str(rasa),
        "IPPC_ACTION_PORT": str(action),
        "IPPC_ACTION_ENDPOINT": f"http://127.0.0.1:{action}/webhook",
        "IPPC_CONSOLE_PORT": str(console),
    }
    for name in ("IPPC_DATABASE_URL", "IPPC_TRACKER_STORE_URL", "IPPC_REDIS_URL"):
        env.pop(name, None)
    url = f"http://127.0.0.1:{rasa}/webhooks/rest/webhook"
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "ippc.cli", "run"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        while not answered(url):
            if child.poll() is not None or time.monotonic() - started > START_TIMEOUT:
                raise RuntimeError("ippc run did not answer")
            time.sleep(0.2)
        return time.monotonic() - started
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.startup", description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    for number in range(1, args.starts + 1):
        print(f"start {number}: REST answered after {one_start():.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
