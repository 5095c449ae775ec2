"""Sub-intents of the retrieval intents (``fasttrack_process/after_pass``) from the characters
of the message: for each retrieval intent, a TF-IDF of characters and character pairs and a
linear SVM over its sub-intents (``nlu/components/linear_model.py``, the model of
``CharNgramIntentClassifier``).

Why not Rasa's ResponseSelector: it is a TensorFlow model (DIET's architecture) that needs the
count-vector featurisers before it and takes most of the NLU training time and memory; on
cross-validation of our own data (``python -m nlu.crossval``, fold 1 of 5) it chose the right
sub-intent less often than this: 0.700 against 0.785 (docs/benchmarks.md, "NLU without
TensorFlow").

One model per retrieval intent rather than one over all sub-intents: the dialogue answers
``utter_<intent>`` from the entry of the message's intent, so each entry only has to choose
among that intent's sub-intents, whatever the intent classifier said.

The message gets exactly what Rasa's ResponseSelector (3.6) writes, one entry per retrieval
intent, as Rasa writes with one ResponseSelector per retrieval intent (``retrieval_intent``)::

    response_selector:
      all_retrieval_intents: [fasttrack_process, ...]
      fasttrack_process:
        response: {responses: [...], confidence: 0.93,
                   intent_response_key: fasttrack_process/after_pass,
                   utter_action: utter_fasttrack_process/after_pass}
        ranking: [{confidence: 0.93, intent_response_key: fasttrack_process/after_pass}, ...]

so that Rasa's ActionRetrieveResponse (``utter_fasttrack_process``), ``ippc classify``, the
handoff marker and the cross-validation read it unchanged. The responses come from the
training data (the domain's ``utter_<intent>/<key>``, which Rasa's importer adds) and are
kept in the model, as ResponseSelector keeps them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from nlu.components.linear_model import LinearComponent, LinearModel

logger = logging.getLogger(__name__)

MANIFEST_FILE = "char_ngram_response_selector.json"


def _model_files(index: int) -> tuple[str, str]:
    return f"selector_{index}.npz", f"selector_{index}_vocabulary.json"


class Selectors:
    """What the component knows after training: every retrieval intent, its sub-intents
    (``intent/key``, sorted), a model for those with more than one, and the responses."""

    def __init__(
        self,
        retrieval_intents: list[str],
        keys: dict[str, list[str]],
        models: dict[str, LinearModel],
        responses: dict[str, list[dict[str, Any]]],
    ) -> None:
        self.retrieval_intents = retrieval_intents
        self.keys = keys
        self.models = models
        self.responses = responses


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharNgramResponseSelector(LinearComponent[Selectors]):
    """Sub-intents from character n-grams with a linear SVM; see the module docstring."""

    @classmethod
    def read_trained(cls, directory: Path, config: dict[str, Any]) -> Selectors:
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        keys = {intent: list(found) for intent, found in manifest["keys"].items()}
        models = {
            intent: LinearModel.read(directory, *_model_files(index), config)
            for index, intent in enumerate(manifest["retrieval_intents"])
            if len(keys[intent]) > 1
        }
        return Selectors(manifest["retrieval_intents"], keys, models, manifest["responses"])

    def train(self, training_data: TrainingData) -> Resource:
        examples: dict[str, list[tuple[str, str]]] = {}
        for example in training_data.intent_examples:
            key = example.get(INTENT_RESPONSE_KEY)
            if key and example.get(TEXT):
                examples.setdefault(str(example.get(INTENT)), []).append(
                    (example.get(TEXT), example.get_full_intent())
                )
        if not examples:
            return self._resource
        intents = sorted(examples)
        keys = {intent: sorted({key for _, key in examples[intent]}) for intent in intents}
        utterances = [intent_response_key_to_template_key(k) for i in intents for k in keys[i]]
        responses = {
            u: training_data.responses[u] for u in utterances if training_data.responses.get(u)
        }
        if missing := [u for u in utterances if u not in responses]:
            # the cross-validation trains from the NLU data alone, without the domain
            logger.warning(f"No responses for {len(missing)} sub-intents, e.g. {missing[0]}.")
        models = {
            intent: LinearModel.fit(
                [text for text, _ in examples[intent]],
                [key for _, key in examples[intent]],
                self._config,
            )
            for intent in intents
            if len(keys[intent]) > 1
        }
        self.trained = Selectors(intents, keys, models, responses)
        manifest = {"retrieval_intents": intents, "keys": keys, "responses": responses}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MANIFEST_FILE).write_text(
                json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
            )
            for index, intent in enumerate(intents):
                if intent in models:
                    models[intent].save(directory, *_model_files(index))
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Writes the entries of the retrieval intents among the message's best intents
        (``candidates``): the one that is answered, and the one a handoff request's rest or
        a gate may fall back to. Rasa's ResponseSelector writes every retrieval intent, each
        with its answers, into every stored message; py-spy showed that at 15 % of the Rasa
        server's time, before the bigger events cost again in the tracker store."""
        if self.trained is None or not messages:
            return messages
        temperature = float(self._config["temperature"])
        candidates = int(self._config["candidates"])
        for message in messages:
            text = message.get(TEXT) if isinstance(message.get(TEXT), str) else ""
            ranked = [item.get(INTENT_NAME_KEY) for item in message.get(INTENT_RANKING_KEY) or []]
            properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = list(self.trained.retrieval_intents)
            for intent in ranked[:candidates]:
                if intent in self.trained.keys:
                    properties[intent] = self._prediction(self._ranking(intent, text, temperature))
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages

    def _ranking(self, intent: str, text: str, temperature: float) -> list[tuple[str, float]]:
        """The sub-intents of ``intent`` for ``text``, best first."""
        model = self.trained.models.get(intent)
        if model is None:  # a single sub-intent
            return [(self.trained.keys[intent][0], 1.0)]
        row = model.probabilities([text], temperature)[0]
        return [(model.labels[i], float(row[i])) for i in np.argsort(row)[::-1]]

    def _prediction(self, ranking: list[tuple[str, float]]) -> dict[str, Any]:
        """The entry of one retrieval intent, as Rasa's ResponseSelector writes it."""
        key, confidence = ranking[0]
        utterance = intent_response_key_to_template_key(key)
        # as ResponseSelector: without a response, the key itself (Rasa warns at training)
        responses = self.trained.responses.get(utterance) or [{TEXT: key}]
        length = int(self._config["ranking_length"])
        return {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: responses,
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utterance,
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {PREDICTED_CONFIDENCE_KEY: value, INTENT_RESPONSE_KEY: name}
                for name, value in ranking[: length or None]
            ],
        }
