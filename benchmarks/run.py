"""``make bench``: ippc against plain Rasa under concurrent multi-turn conversations.

    .venv/bin/python -m benchmarks.run [--levels 1,8,32,128] [--messages 240] [--seconds 60]
                                       [--reuse-model] [--no-stack] [--out benchmarks/reports]

Trains ippc afresh (timed; ``--reuse-model`` takes the latest model in $IPPC_MODELS_DIR
instead), creates and trains the reference assistant with ``rasa init`` in a temporary folder,
measures NLU accuracy with ``ippc classify``, then loads each target in turn on loopback:
``ippc run``, the reference, and the production stack (deploy/) with one and two Rasa
servers. Writes report.md, latency.png and results.json to the output folder, prints the
report. Asserts nothing: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.dialogues import IPPC_DIALOGUES, REFERENCE_DIALOGUES
from benchmarks.load import run_levels
from benchmarks.nlu_accuracy import evaluate
from benchmarks.report import BenchResults, write_report
from benchmarks.targets import IppcRun, ReferenceAssistant
from core.clock import aware_utc_now
from core.paths import PROJECT_ROOT, models_dir
from runtime.processes import machine_busy_seconds

REPORTS = PROJECT_ROOT / "benchmarks" / "reports"
STACK_LEVELS = (32, 128)
BEFORE_AFTER_LEVELS = (8, 32)
PACED_LEVELS = (8, 32, 128)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="1,8,32,128", help="concurrency levels")
    parser.add_argument("--messages", type=int, default=240, help="messages per level (min)")
    parser.add_argument("--seconds", type=float, default=60, help="time cap per level")
    parser.add_argument(
        "--think", type=float, default=2.0,
        help="a person's pause before each message, for the paced runs (0: none)",
    )  # fmt: skip
    parser.add_argument("--reuse-model", action="store_true", help="skip the timed training")
    parser.add_argument("--no-stack", action="store_true", help="skip the nginx stack runs")
    parser.add_argument(
        "--no-before-after", action="store_true", help="skip ippc without its speed fixes"
    )
    parser.add_argument("--out", type=Path, default=REPORTS)
    return parser.parse_args(argv)


def train_ippc(target: Path) -> float:
    """A full ``ippc train --force`` into ``target``; returns seconds."""
    env = {**os.environ, "IPPC_MODELS_DIR": str(target), "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "ippc.cli", "train", "--force"],
        env=env, check=True, stdout=subprocess.DEVNULL, timeout=1800,
    )  # fmt: skip
    return round(time.monotonic() - started, 1)


def measure(target, dialogues, levels, args, paced: list[int] | None = None):  # noqa: ANN001, ANN201
    """Start ``target``, load it without pauses at ``levels`` (and at a person's pace at
    ``paced``), stop it; returns (rows, paced rows, resident memory)."""
    target.start()
    try:
        rows = [r.summary() for r in run_levels(
            target.rest_url, dialogues, levels, args.messages, args.seconds
        )]  # fmt: skip
        paced_rows = []
        if paced and args.think > 0:
            print(f"    paced: users pause about {args.think:g} s before each message", flush=True)
            paced_rows = [r.summary() for r in run_levels(
                target.rest_url, dialogues, paced, args.messages, args.seconds, args.think
            )]  # fmt: skip
        return rows, paced_rows, target.memory()
    finally:
        target.stop()


def stack_runs(model: Path, workdir: Path, levels: list[int], args: argparse.Namespace) -> dict:
    """The deploy/ stack with one and two Rasa servers (needs nginx, PostgreSQL, Redis)."""
    from deploy.nginx import nginx_binary
    from deploy.stack import Stack, StackSettings
    from tests.deploy.local_services import SHARED_REDIS, create_database, drop_database

    if nginx_binary() is None:
        return {"notes": ["Production stack not measured: nginx is not installed."]}
    results: dict = {"memory": {}, "cpu": {}}
    for instances in (1, 2):
        try:
            url = create_database()
        except Exception as error:  # noqa: BLE001 - report why, go on with the rest
            return {"notes": [f"Production stack not measured: PostgreSQL: {error}"]}
        stack = Stack(
            StackSettings(
                model=model, database_url=url, redis_url=SHARED_REDIS, instances=instances,
                action_workers=2, workdir=workdir / f"stack{instances}",
                extra_env={"IPPC_WORKING_HOURS": "24x7"},
            )
        )  # fmt: skip
        print(f"  production stack, {instances} Rasa server(s)", flush=True)
        try:
            stack.start()
            cpu_before, own_before = stack.cpu(), _own_cpu()
            machine_before, started = machine_busy_seconds(), time.monotonic()
            rows = run_levels(stack.rest_url, IPPC_DIALOGUES, levels, args.messages, args.seconds)
            elapsed = time.monotonic() - started
            machine = machine_busy_seconds() - machine_before
            used = {n: s - cpu_before.get(n, 0.0) for n, s in stack.cpu().items()}
            used["load generator"] = _own_cpu() - own_before
            results["cpu"][f"stack ×{instances}"] = {
                "seconds": round(elapsed, 1),
                "processes": {n: round(s, 1) for n, s in used.items()},
                "machine": round(machine, 1),  # every process on the machine, ours or not
            }
            results[f"stack{instances}"] = [r.summary() for r in rows]
            results["memory"][f"stack ×{instances}"] = stack.memory()
        finally:
            stack.stop()
            drop_database(url)
    return results


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def scaling_note(one: list[dict], two: list[dict], cpu: dict) -> str:
    """Whether two servers scale, and what the CPU figures say bounds them when they do not."""
    if not one or not two:
        return ""
    best = max(b["messages_per_s"] / a["messages_per_s"] for a, b in zip(one, two, strict=False))
    cores = os.cpu_count() or 1
    if best >= 1.6:
        return f"Two servers give up to {best:.2f}× the throughput of one."
    figures = cpu.get("stack ×2", {})
    seconds = figures.get("seconds") or 1
    ours = sum(figures.get("processes", {}).values()) / seconds
    machine = figures.get("machine", 0) / seconds
    text = (
        f"Two servers give at most {best:.2f}× the throughput of one here. During the "
        f"two-server load the machine's {cores} cores were busy {machine:.2f} cores' worth on "
        f"average, {ours:.2f} of them in the stack's own processes and the load generator "
        "(the rest: PostgreSQL, Redis and whatever else ran on the machine; table below). "
    )
    if machine >= 0.85 * cores:
        return text + (
            "The CPU is the bound: a second Rasa server finds no idle core. The servers share "
            "nothing but PostgreSQL and Redis, so with a core (or a machine) per server behind "
            "the same nginx, throughput grows with their number."
        )
    return text + (
        "The CPU was not saturated, so the bound is elsewhere at these levels (PostgreSQL, "
        "Redis or the load generator: compare the processes in the table below)."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="ippc-bench-"))
    load = os.getloadavg()
    results = BenchResults(
        when=aware_utc_now().strftime("%Y-%m-%d %H:%M UTC"),
        command="make bench  (.venv/bin/python -m benchmarks.run " + " ".join(sys.argv[1:]) + ")",
        machine=f"{os.cpu_count()} cores, {platform.platform()}, load average at start "
        f"{load[0]:.1f}",
        think=args.think,
    )
    try:
        if args.reuse_model:
            models = models_dir()
            results.notes.append("ippc training not timed (--reuse-model).")
        else:
            models = workdir / "models"
            print("training ippc (ippc train --force) ...", flush=True)
            results.training["ippc"] = train_ippc(models)
        model = sorted(models.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[-1]
        print("creating and training the reference (rasa init --no-prompt) ...", flush=True)
        reference = ReferenceAssistant(workdir / "reference").create()
        results.training["reference"] = round(reference.training_seconds, 1)
        print("NLU accuracy (ippc classify) ...", flush=True)
        results.nlu = evaluate(models)
        print("load: ippc run", flush=True)
        paced = [level for level in levels if level in PACED_LEVELS]
        results.ippc, results.ippc_paced, results.memory["ippc run"] = measure(
            IppcRun(workdir / "ippc", models), IPPC_DIALOGUES, levels, args, paced
        )
        if not args.no_before_after:
            print("load: ippc run without the speed fixes (IPPC_RASA_SPEEDUPS=0)", flush=True)
            before_levels = [level for level in levels if level in BEFORE_AFTER_LEVELS]
            results.ippc_before, _, _ = measure(
                IppcRun(workdir / "ippc-before", models, extra_env={"IPPC_RASA_SPEEDUPS": "0"}),
                IPPC_DIALOGUES, before_levels or levels[-1:], args,
            )  # fmt: skip
        print("load: rasa init", flush=True)
        results.reference, results.reference_paced, results.memory["rasa init"] = measure(
            reference, REFERENCE_DIALOGUES, levels, args, paced
        )
        if not args.no_stack:
            stack_levels = [level for level in levels if level in STACK_LEVELS] or levels[-1:]
            stacks = stack_runs(model, workdir, stack_levels, args)
            results.notes += stacks.get("notes", [])
            results.memory.update(stacks.get("memory", {}))
            results.cpu = stacks.get("cpu", {})
            results.stack1 = stacks.get("stack1", [])
            results.stack2 = stacks.get("stack2", [])
            results.scaling_note = scaling_note(results.stack1, results.stack2, results.cpu)
        report = write_report(results, args.out)
        (args.out / "results.json").write_text(
            json.dumps(results.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        print(report.read_text(encoding="utf-8"))
        print(f"report: {report}\nchart:  {args.out / 'latency.png'}")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
