"""The import graph of the project's top-level packages, and the layer each belongs to.

``python -m tests.architecture.package_graph`` prints it (one line per package, with the
packages it imports), so that a change to the layering is visible in review."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lower layers never import higher ones; packages of one layer may import each other as long
# as no cycle forms.
LAYERS: dict[str, int] = {
    "core": 0,
    "knowledge_base": 1,
    "nlu": 1,
    "cases": 1,
    "channels": 1,
    "handoff": 1,
    "dialogue": 1,
    "actions": 2,
    "runtime": 3,
    "deploy": 4,
    "ippc": 5,
}


def _imported_names(path: Path) -> Iterable[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """For each package of LAYERS, the other packages of LAYERS its modules import."""
    graph: dict[str, set[str]] = {}
    for package in LAYERS:
        targets: set[str] = set()
        for path in (root / package).rglob("*.py"):
            targets |= {name.split(".")[0] for name in _imported_names(path)}
        graph[package] = {t for t in targets if t in LAYERS and t != package}
    return graph


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{source} (layer {LAYERS[source]}) imports {target} (layer {LAYERS[target]})"
        for source, targets in sorted(graph.items())
        for target in sorted(targets)
        if LAYERS[target] > LAYERS[source]
    ]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle found by a depth-first search (each reported once)."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target == path[0]:
                key = frozenset(path)
                if key not in seen:
                    seen.add(key)
                    found.append([*path, target])
            elif target not in path and target > path[0]:
                visit(target, [*path, target])

    for start in sorted(graph):
        visit(start, [start])
    return found


def main() -> int:
    graph = package_graph()
    for package in sorted(graph, key=lambda p: (LAYERS[p], p)):
        print(f"{LAYERS[package]} {package:15} -> {', '.join(sorted(graph[package])) or '-'}")
    problems = upward_imports(graph) + [" -> ".join(c) for c in cycles(graph)]
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
