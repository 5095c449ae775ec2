"""What a status means and what to do next, per case type (cases/data/status_explanations.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from cases.models import CASE_TYPES

EXPLANATIONS_FILE = Path(__file__).with_name("data") / "status_explanations.yml"


@dataclass(frozen=True)
class Explanation:
    meaning: str
    next_step: str


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Explanation]]:
    raw = yaml.safe_load(EXPLANATIONS_FILE.read_text(encoding="utf-8"))
    table: dict[str, dict[str, Explanation]] = {}
    for case_type in CASE_TYPES:
        entries = raw.get(case_type) or {}
        if "default" not in entries:
            raise ValueError(f"{EXPLANATIONS_FILE}: {case_type} has no default explanation")
        table[case_type] = {
            status: Explanation(entry["meaning"], entry["next"])
            for status, entry in entries.items()
        }
    return table


def explain(case_type: str, status: str) -> Explanation:
    """The explanation of ``status`` for ``case_type``, or that type's default."""
    entries = _table().get(case_type)
    if entries is None:  # a backend's own case type: only the generic wording fits
        return _table()["预审"]["default"]
    return entries.get(status.strip(), entries["default"])


def known_statuses(case_type: str) -> list[str]:
    return [status for status in _table()[case_type] if status != "default"]
