"""`rasa data validate` is clean, except for warnings Rasa 3.6 gives by mistake:
- responses used only by forms (``utter_ask_<slot>``) or by custom actions are "unused";
- retrieval intents must be in the domain for the rules to load, and Rasa then adds them again
  from the NLU data and calls them "duplicated across domain files"."""

from __future__ import annotations

import re
import subprocess
import sys

from core.paths import CONFIG_FILE, DATA_DIR, DOMAIN_DIR, PROJECT_ROOT
from knowledge_base.base import get_knowledge_base
from knowledge_base.rasa_export import (
    retrieval_intents,
    write_generated_data,
    write_generated_domain,
)

UNUSED = re.compile(r"The utterance '(utter_[\w/]+)' is not used in any story or rule\.")
WARNING = re.compile(r"UserWarning: (.*)")
DUPLICATED = re.compile(
    r"The following duplicated intents have been found across multiple domain files: (.*)"
)


def _responses_used_by_code() -> set[str]:
    used: set[str] = set()
    for path in (PROJECT_ROOT / "actions").glob("*.py"):
        used |= set(re.findall(r"[\"'](utter_[\w/]+)[\"']", path.read_text(encoding="utf-8")))
    return used


def test_rasa_data_validate_is_clean() -> None:
    kb = get_knowledge_base()
    write_generated_domain(kb)
    write_generated_data(kb)
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate",
         "--domain", str(DOMAIN_DIR), "--data", str(DATA_DIR), "--config", str(CONFIG_FILE)],
        capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    allowed = _responses_used_by_code()
    problems = []
    for warning in WARNING.findall(output):
        unused = UNUSED.search(warning)
        if unused and (unused.group(1).startswith("utter_ask_") or unused.group(1) in allowed):
            continue
        duplicated = DUPLICATED.search(warning)
        if duplicated and set(duplicated.group(1).split(", ")) <= set(retrieval_intents(kb)):
            continue
        if "Slot auto-fill has been removed" in warning:  # printed for every custom mapping
            continue
        problems.append(warning)
    assert not problems, "\n".join(problems)
