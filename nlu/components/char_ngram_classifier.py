"""Intent classification from the characters of the message: TF-IDF of single characters and
character pairs, and a linear SVM, one class per intent.

Why not DIET: on the project's own data (5-fold cross-validation, ``python -m nlu.crossval``)
this classifier is right more often than DIET with the same featurisers (docs/nlu.md has
the figures), trains in about a second instead of a minute, and answers in well under a
millisecond. Chinese has no spaces, so character pairs carry most of what a word segmenter
would find, without its mistakes on terms it does not know.

Confidences are a softmax of the SVM's scores divided by ``temperature``, so that the
FallbackClassifier and the out-of-domain gate after it can read an unsure message as one.
The model (``nlu/components/linear_model.py``, shared with ``CharNgramResponseSelector``) is
stored as arrays and a vocabulary (``numpy.savez`` and JSON), not as a pickle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ChineseComponent
from nlu.components.linear_model import LinearModel

ARRAYS_FILE = "char_ngram_classifier.npz"
VOCABULARY_FILE = "char_ngram_vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharNgramIntentClassifier(ChineseComponent, IntentClassifier):
    """Intents from character n-grams with a linear SVM; see the module docstring."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "ngram_range": [1, 2],  # single characters and pairs (1-3 was worse on CV)
            "C": 2.0,
            "temperature": 0.05,
            "ranking_length": 10,
            "random_seed": 7,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "numpy", "scipy"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CharNgramIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearModel.read(directory, ARRAYS_FILE, VOCABULARY_FILE, config)
        except (OSError, ValueError, KeyError):
            model = None  # trained without intents: process leaves messages alone
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        intents = [str(e.get(INTENT)) for e in examples]
        if len(set(intents)) < 2:
            return self._resource
        self.model = LinearModel.fit([e.get(TEXT) for e in examples], intents, self._config)
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory, ARRAYS_FILE, VOCABULARY_FILE)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        texts = [m.get(TEXT) if isinstance(m.get(TEXT), str) else "" for m in messages]
        probabilities = self.model.probabilities(texts, float(self._config["temperature"]))
        length = int(self._config["ranking_length"])
        for message, row in zip(messages, probabilities, strict=True):
            order = np.argsort(row)[::-1][:length]
            ranking = [
                {INTENT_NAME_KEY: self.model.labels[i], PREDICTED_CONFIDENCE_KEY: float(row[i])}
                for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
