"""Where the project's files live. The project runs from its checkout (editable install)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BOT_DIR = PROJECT_ROOT / "bot"
DOMAIN_DIR = BOT_DIR / "domain"
DATA_DIR = BOT_DIR / "data"
CONFIG_FILE = BOT_DIR / "config.yml"
GENERATED_DOMAIN_DIR = DOMAIN_DIR / "generated"
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge_base" / "data"


def knowledge_dir() -> Path:
    """The knowledge base's YAML folder (``IPPC_KNOWLEDGE_DIR``, default knowledge_base/data)."""
    return Path(os.environ.get("IPPC_KNOWLEDGE_DIR", KNOWLEDGE_DIR))


def runtime_dir() -> Path:
    """Folder for the SQLite database, logs and other state (``IPPC_DATA_DIR``, default ./data)."""
    path = Path(os.environ.get("IPPC_DATA_DIR", PROJECT_ROOT / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Folder of trained Rasa models (``IPPC_MODELS_DIR``, default ./models)."""
    return Path(os.environ.get("IPPC_MODELS_DIR", PROJECT_ROOT / "models"))
