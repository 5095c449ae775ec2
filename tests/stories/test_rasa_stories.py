"""Rasa's own test stories (tests/stories/test_*.yml) against the trained model.

``rasa test core --e2e`` parses each story's user texts with the model's NLU (intent and
entities are checked) and has the policies predict each action, our HandoffPolicy and
DialoguePolicy included. Actions are not run, so no action server is needed; the policies'
database (the ticket table HandoffPolicy reads) is a migrated SQLite file of the test's own.
A failure lists the failed stories with Rasa's own annotations of the wrong predictions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.migrate import upgrade
from core.model_files import latest_model
from core.settings import RASA_ENV

pytestmark = pytest.mark.model

STORIES_DIR = Path(__file__).parent
TIMEOUT_SECONDS = 600


def story_names() -> list[str]:
    names = []
    for path in sorted(STORIES_DIR.glob("test_*.yml")):
        names += [story["story"] for story in yaml.safe_load(path.read_text("utf-8"))["stories"]]
    return names


def failed_stories(out: Path) -> list[str]:
    """Rasa's failed_test_stories.yml as YAML texts, one per failed story (with its
    ``# predicted: ...`` comments)."""
    text = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    return [f"- story: {part}" for part in re.split(r"^- story: ", text, flags=re.M)[1:]]


def run_rasa_test(model: Path, out: Path, data_dir: Path) -> subprocess.CompletedProcess:
    database_url = f"sqlite:///{data_dir / 'ippc.db'}"
    upgrade(database_url)
    command = [
        sys.executable, "-m", "rasa", "test", "core",
        "--e2e",
        "--model", str(model),
        "--stories", str(STORIES_DIR),
        "--out", str(out),
        "--no-plot",
    ]  # fmt: skip
    env = {
        **RASA_ENV,
        **os.environ,
        "IPPC_DATA_DIR": str(data_dir),
        "IPPC_DATABASE_URL": database_url,
    }
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )


def test_the_story_names_are_unique() -> None:
    names = story_names()
    assert len(names) == len(set(names)) and len(names) >= 15


def test_the_test_stories_pass_with_the_trained_model(tmp_path: Path) -> None:
    model = latest_model()
    if model is None:
        pytest.skip("no trained model: run `ippc train`")
    out = tmp_path / "results"
    result = run_rasa_test(model, out, tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    evaluated = re.search(r"Evaluating (\d+) stories", log)
    assert evaluated and int(evaluated.group(1)) == len(story_names()), log[-3000:]
    failed = failed_stories(out)
    assert not failed, f"{len(failed)} test stories failed:\n" + "\n".join(failed)
