"""How alike two user messages are, and grouping the inbox's messages so that one question
asked 40 ways is one row.

Method: TF-IDF over character 1–2-grams of the normalised text (scikit-learn's
``TfidfVectorizer``), cosine similarity, then average-linkage agglomerative clustering cut at
a distance (scipy's ``linkage``/``fcluster``). Why: Chinese has no spaces, and users misspell,
abbreviate and mix traditional characters, so word tokens are brittle while character
n-grams catch "预审要交钱吗" ≈ "预审收不收费" through the shared "预审"; IDF lowers the weight
of n-grams every question has ("请问", "怎么"); average linkage does not chain two different
questions together through one message that shares words with both (single linkage does).
Both libraries ship with Rasa already (no new dependency, no model to load), and a few
thousand messages group in well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.normalize import normalize_text

# Characters that carry no meaning for similarity (punctuation, spaces, symbols).
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
# Messages whose average similarity to a group is below 1 - this distance start a new group.
GROUP_DISTANCE = 0.75
MAX_GROUPED = 3000


# Words that frame any question ("请问…可以…吗") and say nothing about which one it is;
# removed before comparing, longest first.
_FRAME = re.compile(
    "|".join(
        "请问 能不能 可不可以 是不是 有没有 怎么办 怎么 如何 什么 可以 需要 我们 你们 一下 "
        "一般 大概 吗 呢 啊 吧 么 了 的 我 你".split()
    )
)


def canonical(text: str) -> str:
    """Normalised text without punctuation or spaces, lower-case."""
    return _NOISE.sub("", normalize_text(text).lower())


def content(text: str) -> str:
    """The canonical text without the words that frame any question."""
    return _FRAME.sub("", canonical(text))


def _grams(text: str) -> set[str]:
    chars = canonical(text)
    if len(chars) < 2:
        return {chars} if chars else set()
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def similarity(first: str, second: str) -> float:
    """Dice coefficient of character bigrams (0–1); cheap enough for every user message."""
    a, b = _grams(first), _grams(second)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def group_texts(texts: Sequence[str], distance: float = GROUP_DISTANCE) -> list[int]:
    """A group number for each text (0, 1, …); texts with the same canonical form always
    share a group. Only the first MAX_GROUPED texts are clustered, the rest are singletons."""
    if not texts:
        return []
    keys = [canonical(t) for t in texts[:MAX_GROUPED]]
    unique = list(dict.fromkeys(keys))
    labels_of_unique = _cluster(unique, distance)
    label_of_key = dict(zip(unique, labels_of_unique, strict=True))
    labels = [label_of_key[k] for k in keys]
    extra = max(labels, default=-1) + 1
    labels += list(range(extra, extra + len(texts) - len(keys)))
    return labels


def _cluster(keys: list[str], distance: float) -> list[int]:
    if len(keys) == 1:
        return [0]
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [content(k) or k or "?" for k in keys]
    vectors = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=1
    ).fit_transform(documents)
    if vectors.shape[1] == 0:
        return list(range(len(keys)))
    cosine = (vectors @ vectors.T).toarray()
    distances = np.clip(1.0 - cosine, 0.0, 1.0)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    found = fcluster(tree, t=distance, criterion="distance")
    # Renumber 0.. in order of first appearance, so group numbers follow the input order.
    order: dict[int, int] = {}
    return [order.setdefault(int(label), len(order)) for label in found]
