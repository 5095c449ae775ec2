"""Every word list the code names exists in knowledge_base/data/words/; a broken list names
its file, line and key; the labels and lists the code indexes have the shape it needs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.paths import PROJECT_ROOT
from handoff.models import REASONS
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.texts import say
from knowledge_base.words import load_words, word_groups, words
from tests.knowledge_base.test_texts import _calls


def test_every_word_list_the_code_names_exists() -> None:
    lists = load_words()
    named = [
        (path, call.lineno, call.args[0].value)
        for path, call in _calls("words")
        if call.args and isinstance(call.args[0], ast.Constant)
    ]
    assert named, "no words(...) call found: the scan is broken"
    missing = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {key}"
        for path, line, key in named
        if key not in lists
    ]
    assert not missing, "\n".join(missing)


def test_rating_numerals_cover_every_score_once() -> None:
    numerals = [w for n in range(1, 6) for w in words(f"handoff.rating.numerals.{n}")]
    assert len(numerals) == len(set(numerals))


def test_labels_the_code_indexes_have_their_shape() -> None:
    assert len(say("handoff.moment.weekdays")) == 7
    assert all(REASONS[code] for code in REASONS)
    with pytest.raises(KeyError):
        REASONS["no_such_reason"]


def test_a_broken_word_list_names_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "demo.yml").write_text("fine: [好]\nbroken: 好\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"demo\.yml:2: demo\.broken: must be"):
        load_words(str(tmp_path))
    (tmp_path / "words" / "demo.yml").write_text("nested:\n  empty: []\n", encoding="utf-8")
    load_words.cache_clear()
    with pytest.raises(KnowledgeBaseError, match=r"demo\.yml:2: demo\.nested\.empty: must be"):
        load_words(str(tmp_path))
    load_words.cache_clear()


def test_groups_and_longest_first_come_from_the_same_lists() -> None:
    assert word_groups("dialogue.negation")["不是"] == ("是",)
    stop = words("dialogue.stop", longest=True)
    assert sorted(stop) == sorted(set(words("dialogue.stop")))
    assert [len(w) for w in stop] == sorted((len(w) for w in stop), reverse=True)
    with pytest.raises(KeyError, match="no word lists under"):
        word_groups("dialogue.no_such_group")
