"""The web widget's first view (knowledge_base/data/widget.yml): assistant and center name,
greeting and suggested questions, served as JSON by channels/webchat.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.paths import knowledge_dir
from knowledge_base.base import KnowledgeBase
from knowledge_base.schema import Reader
from knowledge_base.yaml_lines import load_yaml

WIDGET_FILE = "widget.yml"
MAX_SUGGESTIONS = 4


def widget_config(kb: KnowledgeBase, directory: Path | None = None) -> dict[str, Any]:
    """{assistant_name, center_name, greeting, suggestions}; a broken file raises
    KnowledgeBaseError naming file, line and field."""
    path = Path(directory or knowledge_dir()) / WIDGET_FILE
    reader = Reader(path, load_yaml(path))
    suggestions = reader.texts("suggestions", required=True)
    if len(suggestions) > MAX_SUGGESTIONS:
        raise reader.fail("suggestions", f"at most {MAX_SUGGESTIONS} questions")
    own = kb.own_center()
    return {
        "assistant_name": reader.text("assistant_name"),
        "center_name": own.short_name if own else reader.text("national_name"),
        "greeting": reader.text("greeting"),
        "suggestions": suggestions,
    }
