"""A fresh checkout has no generated Rasa files: Rasa's commands then say to run `ippc train`."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.paths import CONFIG_FILE, DATA_DIR, DOMAIN_DIR
from knowledge_base import rasa_importer


def test_missing_generated_files_tell_the_user_to_run_ippc_train(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rasa_importer, "GENERATED_FOLDERS", (tmp_path / "domain" / "generated",))
    with pytest.raises(rasa_importer.GeneratedFilesMissing, match="run `ippc train` first"):
        rasa_importer.KnowledgeFileImporter(str(CONFIG_FILE), str(DOMAIN_DIR), [str(DATA_DIR)])


def test_with_the_generated_files_the_importer_reads_the_project() -> None:
    if rasa_importer.missing_generated_folders():
        pytest.fail("bot/*/generated/ missing: run `ippc train` first")
    importer = rasa_importer.KnowledgeFileImporter(
        str(CONFIG_FILE), str(DOMAIN_DIR), [str(DATA_DIR)]
    )
    assert "utter_greet" in importer.get_domain().responses
