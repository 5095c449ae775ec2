"""The training data never contains a sentence of the public dev set (after normalisation),
so the dev-set accuracy measures understanding of unseen questions."""

from __future__ import annotations

import json

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from core.paths import DATA_DIR, PROJECT_ROOT
from nlu.normalize import normalize_text

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared/eval/dev.jsonl not beside the checkout")
def test_no_dev_sentence_in_training_data() -> None:
    dev = {
        normalize_text(json.loads(line)["text"])
        for line in DEV_SET.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    training = load_data(str(DATA_DIR / "nlu"))
    copied = sorted(
        example.get("text")
        for example in training.intent_examples
        if normalize_text(example.get("text")) in dev
    )
    assert not copied, copied


def test_no_sentence_has_two_intents() -> None:
    training = load_data(str(DATA_DIR / "nlu"))
    seen: dict[str, str] = {}
    clashes = []
    for example in training.intent_examples:
        text = normalize_text(example.get("text"))
        label = example.get_full_intent()
        if seen.setdefault(text, label) != label:
            clashes.append((text, seen[text], label))
    assert not clashes, clashes
