"""YAML loading that remembers line numbers, so validation errors can point at them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge_base.errors import KnowledgeBaseError


class LineDict(dict):
    """A mapping that knows the (1-based) line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows the line of each item."""

    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader (no arbitrary objects) that builds LineDict/LineList."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse ``path``; any syntax or encoding problem becomes a KnowledgeBaseError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(path, None, "file", "not found") from None
    except UnicodeDecodeError as error:
        raise KnowledgeBaseError(path, None, "file", f"not UTF-8 ({error.reason})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise KnowledgeBaseError(path, line, "yaml", str(error.problem or error)) from None
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(path, None, "yaml", str(error)) from None
    if not isinstance(data, LineDict):
        raise KnowledgeBaseError(path, 1, "document", "must be a mapping at the top level")
    return data
