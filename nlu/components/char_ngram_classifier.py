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

from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
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

from nlu.components.linear_model import LinearComponent, LinearModel

ARRAYS_FILE = "char_ngram_classifier.npz"
VOCABULARY_FILE = "char_ngram_vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharNgramIntentClassifier(LinearComponent[LinearModel], IntentClassifier):
    """Intents from character n-grams with a linear SVM; see the module docstring."""

    @classmethod
    def read_trained(cls, directory: Path, config: dict[str, Any]) -> LinearModel:
        return LinearModel.read(directory, ARRAYS_FILE, VOCABULARY_FILE, config)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        intents = [str(e.get(INTENT)) for e in examples]
        if len(set(intents)) < 2:
            return self._resource
        self.trained = LinearModel.fit([e.get(TEXT) for e in examples], intents, self._config)
        with self._model_storage.write_to(self._resource) as directory:
            self.trained.save(directory, ARRAYS_FILE, VOCABULARY_FILE)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.trained is None:
            return messages
        texts = [m.get(TEXT) if isinstance(m.get(TEXT), str) else "" for m in messages]
        probabilities = self.trained.probabilities(texts, float(self._config["temperature"]))
        length = int(self._config["ranking_length"])
        for message, row in zip(messages, probabilities, strict=True):
            order = np.argsort(row)[::-1][:length]
            ranking = [
                {INTENT_NAME_KEY: self.trained.labels[i], PREDICTED_CONFIDENCE_KEY: float(row[i])}
                for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
