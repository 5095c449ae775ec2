"""Start-up: how long ``ippc run`` takes until the REST channel answers a message.

    .venv/bin/python -m benchmarks.startup [--starts 3]

Each start launches ``ippc run`` as the load benchmark does (the latest trained model, a fresh
data folder, free ports, SQLite), then posts a greeting every 0.2 s until an answer with a bot
message comes back, and prints the seconds from the launch; it is stopped before the next one.
Asserts nothing: it prints figures (issue 14 asks for at most 20 s).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.dialogues import IPPC_DIALOGUES
from benchmarks.targets import START_TIMEOUT, IppcRun
from core.paths import models_dir

GREETING = IPPC_DIALOGUES[0][0]  # the first thing the load's users say


def answered(url: str) -> bool:
    """The REST channel answered a greeting with at least one bot message."""
    body = json.dumps({"sender": "startup-check", "message": GREETING}).encode()
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, body, headers)  # noqa: S310 - a loopback http URL
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status == 200 and bool(json.load(response))
    except (OSError, ValueError, urllib.error.URLError):
        return False


def one_start() -> float:
    """Seconds from launching ``ippc run`` (benchmarks.targets.IppcRun, as the load runs it)
    until REST answers."""
    workdir = Path(tempfile.mkdtemp(prefix="ippc-startup-"))
    target = IppcRun(workdir, models_dir())
    started = time.monotonic()
    try:
        target.launch()
        while not answered(target.rest_url):
            if not target.child.running or time.monotonic() - started > START_TIMEOUT:
                raise RuntimeError("ippc run did not answer:\n" + target.child.log_tail())
            time.sleep(0.2)
        return time.monotonic() - started
    finally:
        target.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.startup", description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    for number in range(1, args.starts + 1):
        print(f"start {number}: REST answered after {one_start():.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
