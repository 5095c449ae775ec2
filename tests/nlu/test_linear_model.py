"""The linear model's own TF-IDF scoring gives the vectoriser's scores, before and after the
model is saved and read back (float32 weights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlu.components.linear_model import LinearModel

CONFIG = {"ngram_range": [1, 2], "C": 2.0, "random_seed": 7}
TRAINING = [
    ("我们想做专利预审", "fasttrack"),
    ("预审需要什么材料", "fasttrack"),
    ("快速预审多久出结果", "fasttrack"),
    ("有人抄袭我们的产品怎么办", "dispute"),
    ("被侵权了去哪里投诉", "dispute"),
    ("海外维权找谁", "dispute"),
    ("你好", "greet"),
    ("您好，在吗", "greet"),
]
TEXTS = [
    "预审材料",
    "预审 预审  预审",  # repeated n-grams, runs of spaces
    "被侵权了\t\t怎么办",
    "ABC Hello 你好",  # upper case is lowered as the vectoriser does
    "qqq",  # nothing known: the intercepts
    "",
    "🙂🙂",
]


def _trained() -> LinearModel:
    texts, labels = zip(*TRAINING, strict=True)
    return LinearModel.fit(list(texts), list(labels), CONFIG)


def test_the_scores_are_the_vectorisers() -> None:
    model = _trained()
    assert np.allclose(model.scores(TEXTS), model.sklearn_scores(TEXTS), atol=1e-9)


def test_the_scores_are_the_vectorisers_after_reading(tmp_path: Path) -> None:
    _trained().save(tmp_path, "m.npz", "v.json")
    model = LinearModel.read(tmp_path, "m.npz", "v.json", CONFIG)
    assert np.allclose(model.scores(TEXTS), model.sklearn_scores(TEXTS), atol=1e-5)
    assert np.array_equal(model.scores(["qqq"])[0], model.intercepts.astype(np.float64))
    assert model.labels[int(np.argmax(model.scores(["预审材料"])[0]))] == "fasttrack"
