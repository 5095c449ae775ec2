"""NLU accuracy on the shared evaluation set through ``ippc classify`` (one model load)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def evaluate(models_dir: Path, dev_set: Path = DEV_SET) -> dict:
    """Topic accuracy, entity exact-match rate (per example) and the classify time."""
    if not dev_set.exists():
        return {"error": f"{dev_set} not found"}
    examples = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines()]
    examples = [e for e in examples if e.get("text", "").strip()]
    text = "".join(e["text"].replace("\n", " ") + "\n" for e in examples)
    env = {**os.environ, "IPPC_MODELS_DIR": str(models_dir), "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "ippc.cli", "classify"],
        input=text, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    seconds = time.monotonic() - started
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1:] or ["classify failed"]}
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    topic_hits = entity_hits = 0
    misses = []
    for example, answer in zip(examples, answers, strict=True):
        if answer["topic"] == example["topic"]:
            topic_hits += 1
        else:
            misses.append(f"{example['text']} → {answer['topic']} (expected {example['topic']})")
        found = {e["entity"]: e["value"] for e in answer.get("entities", [])}
        if found == (example.get("entities") or {}):
            entity_hits += 1
    return {
        "examples": len(examples),
        "topic_accuracy": topic_hits / len(examples),
        "entity_exact_match": entity_hits / len(examples),
        "classify_seconds": round(seconds, 1),
        "topic_misses": misses,
    }
