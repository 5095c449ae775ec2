"""The text classifier that the character n-gram components share: TF-IDF of characters and
character pairs, and a linear SVM's weights; scores, a softmax of them, and storage as arrays
and a vocabulary (``numpy.savez`` and JSON), not as a pickle.

Used by ``CharNgramIntentClassifier`` (one model over the intents) and by
``CharNgramResponseSelector`` (one model per retrieval intent, over its sub-intents).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from nlu.components.base import ChineseComponent

Trained = TypeVar("Trained")
Component = TypeVar("Component", bound="LinearComponent")


class LinearModel:
    """The trained vectoriser and the SVM's weights: scores for a list of texts, one column
    per label (``labels``, sorted)."""

    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        weights: np.ndarray,
        intercepts: np.ndarray,
        labels: list[str],
    ) -> None:
        self.vectorizer = vectorizer
        self.weights = weights
        self.intercepts = intercepts
        self.labels = labels
        # What ``scores`` reads (a vectoriser read back from storage has its vocabulary as a
        # parameter only: ``vocabulary_`` is set by a fit or a first transform).
        self._analyze = vectorizer.build_analyzer()
        self._columns: dict[str, int] = getattr(vectorizer, "vocabulary_", vectorizer.vocabulary)
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._weights_by_column = np.ascontiguousarray(weights.T, dtype=np.float64)

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], config: dict[str, Any]) -> LinearModel:
        """Trains on at least two distinct labels; ``config`` has ``ngram_range``, ``C`` and
        ``random_seed``."""
        vectorizer = _vectorizer(config)
        features = vectorizer.fit_transform(texts)
        svm = LinearSVC(C=float(config["C"]), random_state=int(config["random_seed"]))
        svm.fit(features, labels)
        weights, intercepts = svm.coef_, svm.intercept_
        if len(svm.classes_) == 2:  # one decision function for two classes: make it two
            weights = np.vstack([-weights[0], weights[0]])
            intercepts = np.array([-intercepts[0], intercepts[0]])
        return cls(vectorizer, weights, intercepts, [str(c) for c in svm.classes_])

    def scores(self, texts: list[str]) -> np.ndarray:
        """One row of label scores per text: the TF-IDF vector of each text (as the trained
        ``vectorizer`` makes it) times the weights. Computed here from the text's n-grams,
        without the vectoriser's sparse-matrix machinery, which cost more than the rest of
        the model per message (:meth:`sklearn_scores` is the reference; the tests compare)."""
        rows = np.tile(self.intercepts.astype(np.float64), (len(texts), 1))
        for row, text in enumerate(texts):
            counts = Counter(self._analyze(text))
            found = [(self._columns[g], n) for g, n in counts.items() if g in self._columns]
            if not found:
                continue
            columns = np.fromiter((c for c, _ in found), dtype=np.intp, count=len(found))
            tf = np.log(np.fromiter((n for _, n in found), np.float64, len(found))) + 1.0
            values = tf * self._idf[columns]
            values /= np.sqrt(values @ values)
            rows[row] += values @ self._weights_by_column[columns]
        return rows

    def sklearn_scores(self, texts: list[str]) -> np.ndarray:
        """The scores through the vectoriser's own ``transform`` (what ``scores`` matches)."""
        features: csr_matrix = self.vectorizer.transform(texts)
        return np.asarray(features @ self.weights.T) + self.intercepts

    def probabilities(self, texts: list[str], temperature: float) -> np.ndarray:
        """A softmax of the scores divided by ``temperature``: one row per text, summing to 1."""
        return softmax(self.scores(texts), temperature)

    def save(self, directory: Path, arrays_file: str, vocabulary_file: str) -> None:
        np.savez(
            directory / arrays_file,
            weights=self.weights.astype(np.float32),
            intercepts=self.intercepts.astype(np.float32),
            idf=self.vectorizer.idf_.astype(np.float64),
        )
        vocabulary = {
            "labels": self.labels,
            "ngrams": sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.get),
        }
        (directory / vocabulary_file).write_text(
            json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def read(
        cls, directory: Path, arrays_file: str, vocabulary_file: str, config: dict[str, Any]
    ) -> LinearModel:
        """What ``save`` wrote; raises ``OSError``, ``ValueError`` or ``KeyError`` when it is
        missing or incomplete."""
        arrays = np.load(directory / arrays_file)
        vocabulary = json.loads((directory / vocabulary_file).read_text(encoding="utf-8"))
        weights, intercepts, idf = arrays["weights"], arrays["intercepts"], arrays["idf"]
        labels = vocabulary["labels"]
        vectorizer = _vectorizer(config, {ngram: i for i, ngram in enumerate(vocabulary["ngrams"])})
        vectorizer.idf_ = idf
        return cls(vectorizer, weights, intercepts, [str(label) for label in labels])


def _vectorizer(
    config: dict[str, Any], vocabulary: dict[str, int] | None = None
) -> TfidfVectorizer:
    low, high = config["ngram_range"]
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(int(low), int(high)),
        sublinear_tf=True,
        lowercase=True,
        vocabulary=vocabulary,
    )


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    shifted = scores / temperature
    shifted = shifted - shifted.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


class LinearComponent(ChineseComponent, Generic[Trained]):
    """What the two character n-gram components share: configuration, creation, and loading
    what ``train`` stored (``read_trained``); a model trained without data loads as None and
    ``process`` then leaves messages alone."""

    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {
        "ngram_range": [1, 2],  # single characters and pairs (1-3 and 1-4 were worse on CV)
        "C": 2.0,
        "temperature": 0.05,
        "ranking_length": 10,
        "random_seed": 7,
        # response selector: the retrieval intents among this many best intents get an entry
        "candidates": 3,
    }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        trained: Trained | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.trained = trained

    @classmethod
    def get_default_config(cls) -> dict[str, Any]:
        return dict(cls.DEFAULT_CONFIG)

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "numpy", "scipy"]

    @classmethod
    def read_trained(cls, directory: Path, config: dict[str, Any]) -> Trained:
        """What ``train`` stored in ``directory``."""
        raise NotImplementedError

    @classmethod
    def create(
        cls: type[Component],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Component:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls: type[Component],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Component:
        try:
            with model_storage.read_from(resource) as directory:
                trained = cls.read_trained(directory, config)
        except (OSError, ValueError, KeyError):
            trained = None  # trained without data
        return cls(config, model_storage, resource, trained)
