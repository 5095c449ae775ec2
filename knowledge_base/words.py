"""Words the code matches in what users type (cancel words, rating words, company-name
suffixes), kept in ``knowledge_base/data/words/*.yml`` beside the texts, so that a center can
add a word without touching code. A list is named by a dotted key like the texts
(``"handoff.cancel"``: file ``handoff.yml``, key ``cancel``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.paths import knowledge_dir
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.yaml_lines import LineDict, load_yaml

WORDS_DIR = "words"


def _flatten(node: LineDict, path: Path, prefix: str) -> dict[str, tuple[str, ...]]:
    """``{"cancel": ["取消", ...]}`` → ``{"handoff.cancel": ("取消", ...)}``; every leaf must be
    a non-empty list of non-empty words."""
    flat: dict[str, tuple[str, ...]] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path, f"{name}."))
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(word, str) and word.strip() for word in value)
        ):
            flat[name] = tuple(word.strip() for word in value)
        else:
            raise KnowledgeBaseError(
                path, node.line_of(str(key)), name, "must be a non-empty list of words"
            )
    return flat


@lru_cache(maxsize=4)
def load_words(directory: str | None = None) -> dict[str, tuple[str, ...]]:
    """Every word list by its dotted key, from ``words/`` under ``IPPC_KNOWLEDGE_DIR``
    (default knowledge_base/data); a file's name is the first part of its keys."""
    lists: dict[str, tuple[str, ...]] = {}
    for path in sorted((Path(directory or knowledge_dir()) / WORDS_DIR).glob("*.yml")):
        lists.update(_flatten(load_yaml(path), path, f"{path.stem}."))
    return lists


def words(key: str) -> tuple[str, ...]:
    """The word list ``key``, in file order; a missing key is a bug."""
    found = load_words().get(key)
    if found is None:
        raise KeyError(f"knowledge_base/data/{WORDS_DIR}/ has no word list {key!r}")
    return found
