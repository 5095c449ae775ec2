"""What the bot says, kept in ``knowledge_base/data/texts/*.yml`` (one file per area) so that a
center's staff can review and reword it without touching code. Code picks a text by key
(``"cases.busy"``: file ``cases.yml``, key ``busy``) and fills its named ``{placeholders}``;
``tests/knowledge_base/test_texts.py`` checks that every key the code uses exists and that the
code supplies every placeholder the text names."""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from core.paths import knowledge_dir
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.yaml_lines import LineDict, load_yaml

TEXTS_DIR = "texts"


def _flatten(node: LineDict, path: Path, prefix: str = "") -> dict[str, str]:
    """``{"cases": {"busy": "..."}}`` → ``{"cases.busy": "..."}``; every leaf must be text."""
    flat: dict[str, str] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path, f"{name}."))
        elif isinstance(value, str) and value.strip():
            placeholders(value, path=path, key=name, line=node.line_of(key))
            flat[name] = value
        else:
            raise KnowledgeBaseError(path, node.line_of(key), name, "must be a non-empty text")
    return flat


def placeholders(
    template: str, *, path: Path | str = TEXTS_DIR, key: str = "", line: int | None = None
) -> set[str]:
    """The ``{names}`` a template needs; a malformed brace is a knowledge-base error."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as error:
        raise KnowledgeBaseError(path, line, key, f"malformed {{placeholder}}: {error}") from None
    for name in fields:
        if not name.isidentifier():
            raise KnowledgeBaseError(path, line, key, f"placeholder {{{name}}} is not a name")
    return set(fields)


@lru_cache(maxsize=4)
def load_texts(directory: str | None = None) -> dict[str, str]:
    """Every text by its dotted key, from ``texts/`` under ``IPPC_KNOWLEDGE_DIR`` (default
    knowledge_base/data); a file's name is the first part of its keys."""
    texts: dict[str, str] = {}
    for path in sorted((Path(directory or knowledge_dir()) / TEXTS_DIR).glob("*.yml")):
        texts.update(_flatten(load_yaml(path), path, f"{path.stem}."))
    return texts


def say(key: str, **values: object) -> str:
    """The text ``key`` with its placeholders filled; a missing key or value is a bug."""
    template = load_texts().get(key)
    if template is None:
        raise KeyError(f"knowledge_base/data/{TEXTS_DIR}/ has no text {key!r}")
    missing = placeholders(template) - values.keys()
    if missing:
        raise KeyError(f"text {key!r} needs {', '.join(sorted(missing))}")
    return template.format(**values)


class TextLabels(Mapping[str, str]):
    """A fixed set of codes (ticket reasons, statuses) and their labels, read from the texts
    when asked (``"{prefix}.{code}"``), so that a code module can name its codes without
    loading YAML on import."""

    def __init__(self, prefix: str, codes: Iterable[str]) -> None:
        self.prefix = prefix
        self.codes = tuple(codes)

    def __getitem__(self, code: str) -> str:
        if code not in self.codes:
            raise KeyError(code)
        return say(f"{self.prefix}.{code}")

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)
