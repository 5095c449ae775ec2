"""``ippc train`` refuses a broken knowledge base with one line, before Rasa starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from core.paths import KNOWLEDGE_DIR


def test_malformed_yaml_stops_training_with_one_line(tmp_path: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    centers = knowledge / "centers.yml"
    centers.write_text(
        centers.read_text(encoding="utf-8").replace(
            "fields: [新材料, 节能环保]}", "fields: [新材料"
        ),
        encoding="utf-8",
    )
    models = tmp_path / "models"
    env = {**os.environ, "IPPC_KNOWLEDGE_DIR": str(knowledge), "IPPC_MODELS_DIR": str(models)}
    result = subprocess.run(
        [sys.executable, "-m", "ippc.cli", "train"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ippc train: knowledge base: centers.yml:")
    assert not models.exists() or not any(models.iterdir())
