"""The benchmark's Markdown report and its latency-versus-concurrency chart."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def _ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs or math.isnan(ours) or math.isnan(theirs):
        return "–"
    return f"{ours / theirs:.2f}×"


def _ms(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.0f}"


def latency_table(ours: list[dict], reference: list[dict]) -> list[str]:
    by_level = {row["concurrency"]: row for row in reference}
    lines = [
        "| concurrent conversations | messages | ippc p50 / p95 / p99 ms | ippc msg/s "
        "| rasa init p50 / p95 / p99 ms | rasa init msg/s | p50 ratio | p99 ratio "
        "| msg/s ratio | errors or not processed (ippc / ref) |",
        "|---:|---:|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for row in ours:
        ref = by_level.get(row["concurrency"], {})
        lines.append(
            f"| {row['concurrency']} | {row['messages']} "
            f"| {_ms(row['p50_ms'])} / {_ms(row['p95_ms'])} / {_ms(row['p99_ms'])} "
            f"| {row['messages_per_s']:.1f} "
            f"| {_ms(ref.get('p50_ms'))} / {_ms(ref.get('p95_ms'))} / {_ms(ref.get('p99_ms'))} "
            f"| {ref.get('messages_per_s', 0):.1f} "
            f"| {_ratio(row['p50_ms'], ref.get('p50_ms'))} "
            f"| {_ratio(row['p99_ms'], ref.get('p99_ms'))} "
            f"| {_ratio(row['messages_per_s'], ref.get('messages_per_s'))} "
            f"| {row['errors'] + row.get('not_processed', 0)} / {ref.get('errors', '–')} |"
        )
    return lines


def scaling_table(one: list[dict], two: list[dict]) -> list[str]:
    by_level = {row["concurrency"]: row for row in two}
    lines = [
        "| concurrent conversations | 1 server p50 / p99 ms | 1 server msg/s "
        "| 2 servers p50 / p99 ms | 2 servers msg/s | throughput ratio |",
        "|---:|---|---:|---|---:|---:|",
    ]
    for row in one:
        other = by_level.get(row["concurrency"], {})
        lines.append(
            f"| {row['concurrency']} | {_ms(row['p50_ms'])} / {_ms(row['p99_ms'])} "
            f"| {row['messages_per_s']:.1f} "
            f"| {_ms(other.get('p50_ms'))} / {_ms(other.get('p99_ms'))} "
            f"| {other.get('messages_per_s', 0):.1f} "
            f"| {_ratio(other.get('messages_per_s'), row['messages_per_s'])} |"
        )
    return lines


def before_after_table(before: list[dict], after: list[dict]) -> list[str]:
    by_level = {row["concurrency"]: row for row in after}
    lines = [
        "| concurrent conversations | before p50 / p99 ms | before msg/s "
        "| after p50 / p99 ms | after msg/s | throughput ratio |",
        "|---:|---|---:|---|---:|---:|",
    ]
    for row in before:
        now = by_level.get(row["concurrency"], {})
        lines.append(
            f"| {row['concurrency']} | {_ms(row['p50_ms'])} / {_ms(row['p99_ms'])} "
            f"| {row['messages_per_s']:.1f} "
            f"| {_ms(now.get('p50_ms'))} / {_ms(now.get('p99_ms'))} "
            f"| {now.get('messages_per_s', 0):.1f} "
            f"| {_ratio(now.get('messages_per_s'), row['messages_per_s'])} |"
        )
    return lines


def cpu_table(cpu: dict[str, dict]) -> list[str]:
    """CPU seconds per process over the stack's load, and the cores kept busy on average."""
    lines = ["| target | process | CPU s | cores busy on average |", "|---|---|---:|---:|"]
    for target, figures in cpu.items():
        seconds = figures["seconds"] or 1
        for name, used in sorted(figures["processes"].items()):
            lines.append(f"| {target} | {name} | {used:.1f} | {used / seconds:.2f} |")
        total = sum(figures["processes"].values())
        lines.append(f"| {target} | **all of the above** | {total:.1f} | {total / seconds:.2f} |")
        machine = figures.get("machine", 0.0)
        lines.append(f"| {target} | **whole machine** | {machine:.1f} | {machine / seconds:.2f} |")
    return lines


def memory_table(memory: dict[str, dict[str, int]]) -> list[str]:
    lines = ["| target | process | resident MB |", "|---|---|---:|"]
    for target, processes in memory.items():
        for name, rss in sorted(processes.items()):
            lines.append(f"| {target} | {name} | {rss / MB:.0f} |")
    return lines


def _panel(axis, series: dict[str, list[dict]], title: str) -> None:  # noqa: ANN001
    for index, (label, rows) in enumerate(series.items()):
        if not rows:
            continue
        colour = f"C{index}"
        levels = [row["concurrency"] for row in rows]
        axis.plot(levels, [r["p50_ms"] for r in rows], "o-", color=colour, label=f"{label} p50")
        axis.plot(levels, [r["p99_ms"] for r in rows], "s--", color=colour, label=f"{label} p99")
    axis.set_xscale("log", base=2)
    axis.set_yscale("log")
    axis.set_xlabel("concurrent conversations")
    axis.set_ylabel("latency per message (ms)")
    axis.set_title(title)
    axis.axhline(300, color="grey", linewidth=0.8, linestyle=":")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7)


def write_chart(series: dict[str, list[dict]], paced: dict[str, list[dict]], path: Path) -> None:
    """p50 (solid) and p99 (dashed) latency against concurrency, one colour per target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 2 if any(paced.values()) else 1
    figure, axes = plt.subplots(1, panels, figsize=(7 * panels, 5), dpi=110, squeeze=False)
    _panel(axes[0][0], series, "REST latency, no pauses (2 cores, loopback)")
    if panels == 2:
        _panel(axes[0][1], paced, "REST latency at a person's pace")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


Rows = list[dict[str, Any]]  # one LoadResult.summary() per concurrency level


@dataclass
class BenchResults:
    """Everything one ``make bench`` measured; the report is written from it and
    ``results.json`` holds it as a plain dict (``asdict``)."""

    when: str
    command: str
    machine: str
    think: float = 2.0  # seconds a paced user pauses on average
    training: dict[str, float] = field(default_factory=dict)  # "ippc" / "reference": seconds
    nlu: dict[str, Any] = field(default_factory=dict)
    ippc: Rows = field(default_factory=list)
    ippc_paced: Rows = field(default_factory=list)
    ippc_before: Rows = field(default_factory=list)  # IPPC_RASA_SPEEDUPS=0
    reference: Rows = field(default_factory=list)
    reference_paced: Rows = field(default_factory=list)
    stack1: Rows = field(default_factory=list)
    stack2: Rows = field(default_factory=list)
    scaling_note: str = ""
    cpu: dict[str, dict[str, Any]] = field(default_factory=dict)
    memory: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _latency_section(results: BenchResults, chart: Path) -> list[str]:
    lines = [
        "## Latency and throughput, ippc vs plain Rasa (`rasa init`, same Rasa 3.6.21)",
        "",
        "Each user says a multi-turn conversation turn by turn (each message as soon as the "
        "previous answer arrived, no pause: a stress load), then starts a new one. Both "
        "assistants run with their shipped defaults: `ippc run` (SQLite tracker store, action "
        "server) and `rasa run` in the `rasa init` project (in-memory tracker store, no custom "
        "actions).",
        "",
        *latency_table(results.ippc, results.reference),
        "",
    ]
    if results.ippc_paced:
        lines += [
            "### At a person's pace",
            "",
            "The same conversations, each user pausing 0.5–1.5 × "
            f"{results.think:g} s before each message (reading the answer, typing): "
            "the load of that many people chatting at once rather than of as many clients "
            "sending as fast as they can.",
            "",
            *latency_table(results.ippc_paced, results.reference_paced),
            "",
        ]
    return [
        *lines,
        f"Chart: `{chart.name}` (left: no pauses; right: at a person's pace; p50 solid, p99 "
        "dashed; dotted line at 300 ms).",
        "",
    ]


def _before_after_section(results: BenchResults) -> list[str]:
    if not results.ippc_before:
        return []
    return [
        "## Speed work: before and after",
        "",
        "Before: `ippc run` with `IPPC_RASA_SPEEDUPS=0` (Rasa as shipped). After: as shipped "
        "here, with `runtime/rasa_speedups.py` (the action-response schema checked once "
        "instead of on every action call; see docs/benchmarks.md).",
        "",
        *before_after_table(results.ippc_before, results.ippc),
        "",
    ]


def _stack_section(results: BenchResults) -> list[str]:
    if not results.stack1:
        return []
    return [
        "## Production stack: one vs two Rasa servers behind nginx",
        "",
        "PostgreSQL tracker store, Redis lock store, two action server workers, nginx "
        "(deploy/). Same load.",
        "",
        *scaling_table(results.stack1, results.stack2),
        "",
        results.scaling_note,
        "",
        "CPU used during the load (all levels) by each process, from /proc:",
        "",
        *cpu_table(results.cpu),
        "",
    ]


def _training_and_memory_section(results: BenchResults) -> list[str]:
    training = results.training
    return [
        "## Training",
        "",
        "| assistant | seconds |",
        "|---|---:|",
        f"| ippc (`ippc train --force`) | {training.get('ippc', '–')} |",
        f"| rasa init (`rasa init --no-prompt`, project + training) "
        f"| {training.get('reference', '–')} |",
        "",
        "## Resident memory (after the load)",
        "",
        *memory_table(results.memory),
        "",
    ]


def _nlu_section(nlu: dict[str, Any]) -> list[str]:
    lines = ["## NLU on ../shared/eval/dev.jsonl (`ippc classify`)", ""]
    if "error" in nlu or not nlu:
        return [*lines, f"Not measured: {nlu.get('error', 'no figures')}"]
    return [
        *lines,
        f"- examples: {nlu['examples']}",
        f"- topic accuracy: {nlu['topic_accuracy']:.1%}",
        f"- entity exact match (all entities of an example right): {nlu['entity_exact_match']:.1%}",
        f"- `ippc classify` wall time, model load included: {nlu['classify_seconds']} s",
        *(f"  - miss: {miss}" for miss in nlu["topic_misses"]),
    ]


def write_report(results: BenchResults, folder: Path) -> Path:
    """``report.md`` and ``latency.png`` in ``folder``; returns the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    chart = folder / "latency.png"
    series = {
        "ippc (ippc run)": results.ippc,
        "rasa init": results.reference,
        "ippc ×1 behind nginx": results.stack1,
        "ippc ×2 behind nginx": results.stack2,
    }
    paced = {"ippc (ippc run)": results.ippc_paced, "rasa init": results.reference_paced}
    write_chart(series, paced, chart)
    lines = [
        "# Benchmark report",
        "",
        f"Generated {results.when} by `{results.command}` on {results.machine}.",
        "",
        *_latency_section(results, chart),
        *_before_after_section(results),
        *_stack_section(results),
        *_training_and_memory_section(results),
        *_nlu_section(results.nlu),
        "",
        *results.notes,
    ]
    report = folder / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
