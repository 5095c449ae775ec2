"""Every text the code says exists in knowledge_base/data/texts/ and gets every value it names;
every Rasa response the code names exists in the domain; no sentence stays in Python."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from core.paths import DOMAIN_DIR, PROJECT_ROOT
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.texts import load_texts, placeholders, say

CODE_PACKAGES = (
    "actions",
    "cases",
    "channels",
    "core",
    "deploy",
    "handoff",
    "ippc",
    "knowledge_base",
    "nlu",
    "runtime",
)


def _code_files() -> list[Path]:
    return [p for pkg in CODE_PACKAGES for p in sorted((PROJECT_ROOT / pkg).rglob("*.py"))]


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    """Calls of ``name(...)`` (a plain name or an attribute) in the project's code."""
    found = []
    for path in _code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.append((path, node))
    return found


def test_every_text_the_code_says_exists_with_its_values() -> None:
    texts = load_texts()
    calls = _calls("say")
    assert calls, "no say(...) call found: the scan is broken"
    problems = []
    for path, call in calls:
        where = f"{path.relative_to(PROJECT_ROOT)}:{call.lineno}"
        if not call.args or not isinstance(call.args[0], ast.Constant):
            continue  # a computed key (checked where it is computed)
        key = call.args[0].value
        if key not in texts:
            problems.append(f"{where}: no text {key!r}")
            continue
        if any(k.arg is None for k in call.keywords):
            continue  # **values: cannot be checked statically
        given = {k.arg for k in call.keywords}
        missing = placeholders(texts[key]) - given
        if missing:
            problems.append(f"{where}: {key!r} needs {sorted(missing)}")
    assert not problems, "\n".join(problems)


def _domain_responses() -> set[str]:
    names: set[str] = set()
    for path in DOMAIN_DIR.rglob("*.yml"):
        names |= set(
            (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        )
    return names


def test_every_response_the_code_names_exists_in_the_domain() -> None:
    responses = _domain_responses()
    if not (DOMAIN_DIR / "generated").is_dir():
        pytest.fail("bot/domain/generated/ is missing: run `ippc train` first")
    named = [
        (path, k.value.value, call.lineno)
        for path, call in _calls("utter_message")
        for k in call.keywords
        if k.arg in ("response", "template") and isinstance(k.value, ast.Constant)
    ]
    missing = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {name}"
        for path, name, line in named
        if name not in responses
    ]
    assert not missing, "\n".join(missing)


def test_say_fills_named_values_and_refuses_missing_ones() -> None:
    assert "YS2025000001" in say(
        "cases.found",
        case_number="YS2025000001",
        case_type="预审",
        applicant="测**",
        status="受理",
        updated_at="2025-01-01",
        meaning="m",
        next_step="n",
    )
    with pytest.raises(KeyError, match="needs"):
        say("cases.found", case_number="x")
    with pytest.raises(KeyError, match="no text"):
        say("cases.no_such_text")


def test_a_broken_text_file_names_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "demo.yml").write_text("fine: 好\nbroken: '您好{'\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"demo\.yml:2: demo\.broken: malformed"):
        load_texts(str(tmp_path))
    (tmp_path / "texts" / "demo.yml").write_text("empty: ''\n", encoding="utf-8")
    load_texts.cache_clear()
    with pytest.raises(KnowledgeBaseError, match=r"demo\.yml:1: demo\.empty: must be"):
        load_texts(str(tmp_path))
