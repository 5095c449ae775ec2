"""Rasa's file importer, with one check first: the responses and lookup tables that come from
the knowledge base are written by ``ippc train`` into bot/domain/generated/ and
bot/data/generated/. Without them a plain ``rasa data validate`` or ``rasa train`` would fail
with errors about missing responses; this importer says what to do instead.
``bot/config.yml`` names it under ``importers``."""

from __future__ import annotations

from typing import Any

from rasa.shared.exceptions import RasaException
from rasa.shared.importers.rasa import RasaFileImporter

from core.paths import DATA_DIR, GENERATED_DOMAIN_DIR

GENERATED_FOLDERS = (GENERATED_DOMAIN_DIR, DATA_DIR / "generated")


class GeneratedFilesMissing(RasaException):
    """The knowledge base's generated Rasa files are not there yet."""


def missing_generated_folders() -> list[str]:
    """The generated folders that hold no YAML file yet."""
    return [str(f) for f in GENERATED_FOLDERS if not any(f.glob("*.yml"))]


class KnowledgeFileImporter(RasaFileImporter):
    """``RasaFileImporter`` that refuses to start without the generated files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        missing = missing_generated_folders()
        if missing:
            raise GeneratedFilesMissing(
                f"{', '.join(missing)} not written yet: run `ippc train` first (it generates "
                "the responses and lookup tables from knowledge_base/data/, then trains)"
            )
        super().__init__(*args, **kwargs)
