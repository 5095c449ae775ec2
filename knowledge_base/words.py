"""Words the code matches in what users type (cancel words, rating words, company-name
suffixes, the dialogue's cue words, requests for a person, the domain words), kept in
``knowledge_base/data/words/*.yml`` beside the texts, so that a center can add a word without
touching code. A list is named by a dotted key like the texts (``"handoff.cancel"``: file
``handoff.yml``, key ``cancel``). This is the one loader of word lists."""

from __future__ import annotations

from collections.abc import Iterable
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
    """Every word list by its dotted key, from ``words/`` under ``directory`` (default
    ``IPPC_KNOWLEDGE_DIR`` or knowledge_base/data); a file's name is the first part of its
    keys."""
    lists: dict[str, tuple[str, ...]] = {}
    for path in sorted((Path(directory or knowledge_dir()) / WORDS_DIR).glob("*.yml")):
        lists.update(_flatten(load_yaml(path), path, f"{path.stem}."))
    return lists


def _current() -> dict[str, tuple[str, ...]]:
    """The lists of the knowledge folder in use now (``IPPC_KNOWLEDGE_DIR`` is read each time,
    the files once per folder)."""
    return load_words(str(knowledge_dir()))


def longest_first(found: Iterable[str]) -> tuple[str, ...]:
    """``found`` without repeats, longest first (so that "不用查了" is matched before "不用了");
    words of one length keep their file order."""
    return tuple(sorted(dict.fromkeys(found), key=len, reverse=True))


def words(key: str, *, longest: bool = False) -> tuple[str, ...]:
    """The word list ``key``, in file order (``longest``: without repeats, longest first);
    a missing key is a bug."""
    found = _current().get(key)
    if found is None:
        raise KeyError(f"knowledge_base/data/{WORDS_DIR}/ has no word list {key!r}")
    return longest_first(found) if longest else found


def word_groups(key: str) -> dict[str, tuple[str, ...]]:
    """The lists directly under ``key``, by their own name, in file order:
    ``word_groups("dialogue.negation")`` → ``{"不是": ("是",), ...}``; none is a bug."""
    prefix = f"{key}."
    groups = {
        name[len(prefix) :]: found
        for name, found in _current().items()
        if name.startswith(prefix) and "." not in name[len(prefix) :]
    }
    if not groups:
        raise KeyError(f"knowledge_base/data/{WORDS_DIR}/ has no word lists under {key!r}")
    return groups
