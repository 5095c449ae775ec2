"""Where trained models are and whether the current sources already have one."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.paths import BOT_DIR, PROJECT_ROOT, knowledge_dir, models_dir

MODEL_PREFIX = "ippc-"


# Everything a model is built from: Rasa data, domain and config, the knowledge base and the
# code of the custom NLU components.
def _sources() -> tuple[Path, ...]:
    return (BOT_DIR, knowledge_dir(), PROJECT_ROOT / "nlu", PROJECT_ROOT / "core" / "patterns.py")


FINGERPRINT_SUFFIXES = {".yml", ".yaml", ".py", ".txt"}


def _files() -> list[Path]:
    files: list[Path] = []
    for source in _sources():
        if source.is_file():
            files.append(source)
        elif source.is_dir():
            files += [
                p
                for p in source.rglob("*")
                if p.is_file() and p.suffix in FINGERPRINT_SUFFIXES and "__pycache__" not in p.parts
            ]
    return sorted(files)


def fingerprint() -> str:
    """A hash of every training source's path and content."""
    digest = hashlib.sha256()
    for path in _files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_for(fingerprint_value: str) -> Path:
    return models_dir() / f"{MODEL_PREFIX}{fingerprint_value}.tar.gz"


def latest_model() -> Path | None:
    """The most recently trained model, or None."""
    candidates = sorted(
        models_dir().glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime
    )
    return candidates[-1] if candidates else None
