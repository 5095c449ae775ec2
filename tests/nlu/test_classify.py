"""``ippc classify`` as the contract says, and the NLU's accuracy on the public dev set.

The dev set (shared/eval/dev.jsonl) is never used for training; this test only measures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.model_files import latest_model
from core.paths import PROJECT_ROOT
from nlu.topics import entity_names, topics

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
MIN_TOPIC_ACCURACY = 0.90
# Each topic on its own, so that a whole topic cannot fail behind a good average: with two to
# four dev sentences a topic, at least half of each topic's sentences must be right.
MIN_SHARE_PER_TOPIC = 0.5
needs_model = pytest.mark.skipif(latest_model() is None, reason="no trained model")


def classify(lines: list[str] | bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    data = lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode("utf-8")
    return subprocess.run(
        [sys.executable, "-m", "ippc.cli", "classify"],
        input=data,
        capture_output=True,
        timeout=600,
        env=env,
    )


@pytest.fixture(scope="module")
def dev_results() -> tuple[list[dict], list[dict]]:
    if not DEV_SET.exists():
        pytest.skip("shared/eval/dev.jsonl not beside the checkout")
    gold = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    result = classify([g["text"] for g in gold])
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    predicted = [json.loads(line) for line in result.stdout.decode().splitlines()]
    return gold, predicted


@needs_model
def test_output_follows_the_contract(dev_results: tuple[list[dict], list[dict]]) -> None:
    gold, predicted = dev_results
    assert len(predicted) == len(gold)
    for g, p in zip(gold, predicted, strict=True):
        assert set(p) == {"text", "topic", "intent", "confidence", "entities"}
        assert p["text"] == g["text"]
        assert p["topic"] in topics()
        assert 0.0 <= p["confidence"] <= 1.0
        for entity in p["entities"]:
            assert set(entity) == {"entity", "value"} and entity["entity"] in entity_names()


@needs_model
def test_dev_set_topic_accuracy(dev_results: tuple[list[dict], list[dict]]) -> None:
    gold, predicted = dev_results
    wrong = [
        f"{g['text']}: {g['topic']} -> {p['topic']}"
        for g, p in zip(gold, predicted, strict=True)
        if g["topic"] != p["topic"]
    ]
    accuracy = 1 - len(wrong) / len(gold)
    print(f"dev topic accuracy {accuracy:.3f}; misses: {wrong}")
    assert accuracy >= MIN_TOPIC_ACCURACY, wrong


@needs_model
def test_dev_set_each_topic_share(dev_results: tuple[list[dict], list[dict]]) -> None:
    gold, predicted = dev_results
    right: dict[str, list[bool]] = {}
    for g, p in zip(gold, predicted, strict=True):
        right.setdefault(g["topic"], []).append(g["topic"] == p["topic"])
    shares = {topic: sum(hits) / len(hits) for topic, hits in sorted(right.items())}
    print("dev share right per topic: " + ", ".join(f"{t} {s:.2f}" for t, s in shares.items()))
    failing = {t: s for t, s in shares.items() if s < MIN_SHARE_PER_TOPIC}
    assert not failing, f"topics below {MIN_SHARE_PER_TOPIC:.0%} right: {failing}"


@needs_model
def test_dev_set_entity_recall(dev_results: tuple[list[dict], list[dict]]) -> None:
    gold, predicted = dev_results
    expected = found = 0
    for g, p in zip(gold, predicted, strict=True):
        got = {(e["entity"], e["value"]) for e in p["entities"]}
        for pair in g["entities"].items():
            expected += 1
            found += pair in got
    print(f"dev entity recall {found}/{expected}")
    assert found / expected >= 0.9


@needs_model
def test_odd_lines_are_classified_not_fatal() -> None:
    lines = [
        "",
        "   ",
        "👍👍👍",
        "hello",
        "預審要收費嗎",
        "ＹＳ２０２５０００１２３的进度",
        "x" * 5000,
    ]
    result = classify(lines)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["text"] for r in records] == lines
    assert records[4]["topic"] == "fasttrack_fee"
    assert {"entity": "case_number", "value": "YS2025000123"} in records[5]["entities"]


@needs_model
def test_invalid_utf8_is_a_one_line_error() -> None:
    result = classify("你好\n".encode() + "预审".encode("gbk") + b"\n")
    assert result.returncode != 0
    assert result.stderr.decode().strip().splitlines()[-1] == (
        "ippc classify: line 2 of the input is not valid UTF-8"
    )


def test_missing_model_is_a_one_line_error(tmp_path: Path) -> None:
    env = {**__import__("os").environ, "IPPC_MODELS_DIR": str(tmp_path)}
    result = classify(["你好"], env=env)
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        "ippc classify: no trained model found: run `ippc train` first"
    )
    assert result.stdout == b""
