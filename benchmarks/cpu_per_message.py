"""CPU per message: what each process of ``ippc run`` spends on one answered message under a
stress load, optionally with a py-spy profile of the Rasa server.

    .venv/bin/python -m benchmarks.cpu_per_message [--conversations 32] [--seconds 30]
                                                  [--profile FILE]

Starts ``ippc run`` (SQLite, latest model), warms it up with one pass over every dialogue,
then ``--conversations`` users talk without pauses for ``--seconds``. Prints the level's
latency and throughput and, per process, the CPU seconds used during the load (``/proc``)
divided by the messages answered. With ``--profile FILE`` (py-spy installed: ``pip install
py-spy``), the Rasa server is sampled at 50 Hz meanwhile into FILE (py-spy's raw format: one
stack and its count a line).
Run two versions of the code one after the other to compare them (docs/benchmarks.md,
"Per-message CPU"). Asserts nothing: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.dialogues import IPPC_DIALOGUES
from benchmarks.load import run_level, warm_up
from benchmarks.targets import IppcRun, children_of, process_label
from core.paths import models_dir
from runtime.processes import cpu_seconds


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.cpu_per_message", description=__doc__)
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--profile", help="py-spy raw profile of the Rasa server to this file")
    return parser.parse_args(argv)


def py_spy() -> str:
    """py-spy beside this Python (``.venv/bin``), else on the PATH (``pip install py-spy``)."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ippc-cpu-"))
    target = IppcRun(workdir, models_dir())
    try:
        target.start()
        processes = {pid: process_label(pid) for pid in children_of(target.child.pid)}
        asyncio.run(warm_up(target.rest_url, IPPC_DIALOGUES))
        spy = None
        if args.profile:
            rasa = next(pid for pid, name in processes.items() if "rasa_main" in name)
            duration = str(max(1, int(args.seconds) - 2))
            spy = subprocess.Popen(
                [py_spy(), "record", "-p", str(rasa), "-d", duration,
                 "-r", "50", "-f", "raw", "-o", args.profile],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        before = {pid: cpu_seconds(pid) for pid in processes}
        result = asyncio.run(
            run_level(target.rest_url, IPPC_DIALOGUES, args.conversations, 10**6, args.seconds)
        )
        used = {pid: cpu_seconds(pid) - before[pid] for pid in processes}
        if spy is not None:
            spy.wait()
        print(result.summary())
        for pid, name in processes.items():
            per_message = 1000 * used[pid] / max(result.messages, 1)
            print(f"{name:25s} CPU {used[pid]:6.1f} s   {per_message:6.1f} ms a message")
        return 0
    finally:
        target.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
