"""Chinese string literals left in the project's non-test Python code.

What the bot says belongs in ``knowledge_base/data/texts/*.yml`` or ``bot/domain/``; this
counts the string constants (docstrings excluded) that still hold a CJK character, so that the
number can be followed over time. ``python -m tests.architecture.chinese_literals`` prints the
total and the count per file (``-v`` also prints each literal with its line)."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SKIPPED_DIRS = {"tests", ".venv", "models", "build", "data", "migrations"}


def code_files(root: Path = ROOT) -> list[Path]:
    """Every ``.py`` file of the project outside tests, the venv and generated folders."""
    return sorted(
        p for p in root.rglob("*.py") if not SKIPPED_DIRS & set(p.relative_to(root).parts[:-1])
    )


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the constant nodes that are docstrings (module, class, function)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def chinese_literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each string constant in ``path`` holding a CJK character."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and CJK.search(node.value)
        ):
            yield node.lineno, node.value


def count_by_file(root: Path = ROOT) -> dict[str, int]:
    counts = {}
    for path in code_files(root):
        n = sum(1 for _ in chinese_literals(path))
        if n:
            counts[str(path.relative_to(root))] = n
    return counts


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    counts = count_by_file()
    for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"{n:4} {name}")
        if verbose:
            for line, text in chinese_literals(ROOT / name):
                print(f"       {line}: {text[:70]!r}")
    print(f"{sum(counts.values()):4} total in {len(counts)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
