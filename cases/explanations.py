"""What a status means and what to do next, per case type
(knowledge_base/data/status_explanations.yml). The file's top-level keys are the case types the
store accepts; the first one's ``default`` is the generic wording for a backend's own type."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from core.paths import knowledge_dir

EXPLANATIONS_FILE = "status_explanations.yml"


@dataclass(frozen=True)
class Explanation:
    meaning: str
    next_step: str


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Explanation]]:
    path = knowledge_dir() / EXPLANATIONS_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: expected a mapping of case types")
    table: dict[str, dict[str, Explanation]] = {}
    for case_type, entries in raw.items():
        if not isinstance(entries, dict) or "default" not in entries:
            raise ValueError(f"{path}: {case_type} has no default explanation")
        table[str(case_type)] = {
            str(status): Explanation(entry["meaning"], entry["next"])
            for status, entry in entries.items()
        }
    return table


def case_types() -> tuple[str, ...]:
    """The case types the store accepts, in file order (预审, 备案, 维权)."""
    return tuple(_table())


def explain(case_type: str, status: str) -> Explanation:
    """The explanation of ``status`` for ``case_type``, or that type's default."""
    entries = _table().get(case_type)
    if entries is None:  # a backend's own case type: only the generic wording fits
        return _table()[case_types()[0]]["default"]
    return entries.get(status.strip(), entries["default"])


def known_statuses(case_type: str) -> list[str]:
    return [status for status in _table()[case_type] if status != "default"]
