"""The cue words of knowledge_base/data/dialogue.yml, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.paths import knowledge_dir
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.yaml_lines import load_yaml

WORDS_FILE = "dialogue.yml"


@dataclass(frozen=True)
class DialogueWords:
    stop: tuple[str, ...]
    correction: tuple[str, ...]
    negation: dict[str, str]  # cue → the affirmative word that ends what it negates
    filler: tuple[str, ...]
    greeting: tuple[str, ...]


def _words(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise KnowledgeBaseError(path, raw.line_of(key), key, "must be a list of non-empty words")
    # Longest first, so that "不用查了" is matched before "不用了".
    return tuple(sorted({w.strip() for w in value}, key=len, reverse=True))


@lru_cache(maxsize=2)
def load_words(directory: str | None = None) -> DialogueWords:
    """The words of ``dialogue.yml`` under ``directory`` (default: the knowledge folder)."""
    path = Path(directory or knowledge_dir()) / WORDS_FILE
    raw = load_yaml(path)
    negation = raw.get("negation")
    if not isinstance(negation, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in negation.items()
    ):
        raise KnowledgeBaseError(path, raw.line_of("negation"), "negation", "must map cue: word")
    return DialogueWords(
        stop=_words(raw, "stop", path),
        correction=_words(raw, "correction", path),
        negation=dict(sorted(negation.items(), key=lambda kv: len(kv[0]), reverse=True)),
        filler=_words(raw, "filler", path),
        greeting=_words(raw, "greeting", path),
    )
