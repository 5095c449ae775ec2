"""Under CI=true a skip fails with its reason (tests/ci_skips.py); elsewhere it stays a skip.
Run in a child pytest with that hook as a plugin, on a test that skips as ours do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.paths import PROJECT_ROOT

SKIPPING_TESTS = """
import pytest

@pytest.fixture
def stack():
    pytest.skip("nginx is not installed: make deploy-deps")

def test_needs_nginx(stack):
    pass

@pytest.mark.skipif(True, reason="shared/ not beside the checkout")
def test_needs_shared():
    pass

@pytest.mark.xfail(strict=True, reason="a known bug")
def test_known_bug():
    assert False
"""


def run_child(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_child.py").write_text(SKIPPING_TESTS)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.ci_skips", "-q", "-rsx", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_child.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip


def test_a_skip_fails_under_ci_with_its_reason(tmp_path: Path) -> None:
    result = run_child(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert (
        "skipped under CI=true, where nothing may be missing: nginx is not installed: "
        "make deploy-deps" in result.stdout
    ), result.stdout
    assert (
        "skipped under CI=true, where nothing may be missing: shared/ not beside the checkout"
        in (result.stdout)
    )
    assert "1 xfailed" in result.stdout  # an expected failure is not a skip
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_a_skip_stays_a_skip_outside_ci(tmp_path: Path) -> None:
    result = run_child(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "2 skipped, 1 xfailed" in result.stdout.splitlines()[-1], result.stdout
    assert "SKIPPED [1] " in result.stdout and "nginx is not installed" in result.stdout
