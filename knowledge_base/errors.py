"""The one error a broken knowledge-base file raises: it names the file, line and field."""

from __future__ import annotations

from pathlib import Path


class KnowledgeBaseError(ValueError):
    """A knowledge-base YAML file is unreadable or breaks its schema."""

    def __init__(self, path: Path | str, line: int | None, field: str, message: str) -> None:
        self.path, self.line, self.field = Path(path), line, field
        where = f"{Path(path).name}:{line}" if line else Path(path).name
        super().__init__(f"{where}: {field}: {message}")
