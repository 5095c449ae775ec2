"""Under ``CI=true`` a skip is a failure: CI installs and starts everything the suite needs
(``make test``, ``.ci/run``), so "skipped because X is missing" there means X went missing.
A pytest plugin, loaded by tests/conftest.py (kept apart so that its test loads only this)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Under ``CI=true``, turn a skip (not an expected failure) into a failure whose one line
    says what was missing."""
    outcome = yield
    report = outcome.get_result()
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not (in_ci and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"skipped under CI=true, where nothing may be missing: {reason}"
