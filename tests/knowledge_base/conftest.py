"""Fixtures for knowledge-base tests: the real data, and an editable copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.paths import KNOWLEDGE_DIR
from knowledge_base.base import KnowledgeBase, get_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return get_knowledge_base(str(KNOWLEDGE_DIR))


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A copy of knowledge_base/data that a test may break or extend."""
    target = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
