"""The layering stays as README describes it: no upward import, no cycle between packages."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.package_graph import LAYERS, ROOT, cycles, package_graph, upward_imports


def test_no_package_imports_a_higher_layer() -> None:
    assert upward_imports(package_graph()) == []


def test_no_import_cycle_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_every_top_level_package_has_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert packages <= set(LAYERS), f"add {sorted(packages - set(LAYERS))} to LAYERS"


def test_the_checks_catch_an_upward_import_and_a_cycle(tmp_path: Path) -> None:
    for package, source in {
        "core": "import cases\n",
        "cases": "from core import x\nimport handoff\n",
        "handoff": "import cases.y\n",
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "m.py").write_text(source)
    graph = package_graph(tmp_path)
    assert "core (layer 0) imports cases (layer 1)" in upward_imports(graph)
    assert ["cases", "handoff", "cases"] in cycles(graph)
