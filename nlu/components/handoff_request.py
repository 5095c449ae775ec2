"""A request for a person always wins: two components around the classifiers.

``HandoffRequestMarker`` (right after the text normaliser) finds the request words of
knowledge_base/data/words/handoff_request.yml and, when the message says more than that, lets the
tokenizer, the entity ruler and the classifiers see only the rest ("我要转人工，问一下海外维权的事"
→ "我要，问一下海外维权的事"). ``HandoffRequestOverride`` (after the fallback classifier) puts
the message back, sets the intent to ``human_handoff`` and keeps what the rest was about in
``handoff_topic`` (and behind ``human_handoff`` in the intent ranking), so that the handoff
ticket can take that topic.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import StoredDataComponent, UntrainedComponent
from nlu.handoff_words import HandoffRequest, HandoffWords, find_request, load_handoff_words
from nlu.topics import FALLBACK_INTENT, HANDOFF_INTENT, HANDOFF_TOPIC, topic_of

_REQUEST = "handoff_request"  # message property from the marker to the override (not output)
_MESSAGE = "handoff_message"  # the whole message while the classifiers see only the rest


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class HandoffRequestMarker(StoredDataComponent[HandoffWords]):
    """Marks messages that ask for a person; the classifiers then see only the rest."""

    STORED_FILE = "handoff_words.json"

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        words: HandoffWords,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.words = words

    @staticmethod
    def required_packages() -> list[str]:
        # PyYAML (read at training time) comes with Rasa itself; Rasa checks this list both
        # as import names and as distribution names, which differ for PyYAML.
        return []

    @classmethod
    def make_data(cls, config: dict[str, Any]) -> HandoffWords:
        return load_handoff_words()

    def stored_data(self) -> HandoffWords:
        return self.words

    @staticmethod
    def to_text(data: HandoffWords) -> str:
        return json.dumps(data.as_dict(), ensure_ascii=False)

    @staticmethod
    def from_text(text: str) -> HandoffWords:
        return HandoffWords.from_dict(json.loads(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples stay whole: "转人工" itself is what human_handoff learns."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            request = find_request(text, self.words)
            if request is None:
                continue
            message.set(_REQUEST, request)
            if request.rest is not None:
                message.set(_MESSAGE, text)
                message.set(TEXT, request.rest)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HandoffRequestOverride(UntrainedComponent, IntentClassifier):
    """human_handoff for every marked message; the rest's best real intent is kept."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.min_topic_confidence = float(config["min_topic_confidence"])
        self.ignored_intents = set(config["ignored_intents"])

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # A rest classified with less confidence than this, or as small talk, names no topic.
        return {
            "min_topic_confidence": 0.5,
            "ignored_intents": ["greet", "goodbye", "thanks", "bot_identity", "out_of_scope"],
        }

    @staticmethod
    def required_packages() -> list[str]:
        return []

    def _topic_of_rest(self, message: Message, ranking: list[dict]) -> dict[str, Any] | None:
        if not ranking:
            return None
        intent = ranking[0][INTENT_NAME_KEY]
        confidence = float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        key = intent
        for selector in (message.get("response_selector") or {}).values():
            if not isinstance(selector, dict):  # "all_retrieval_intents" is a list
                continue
            found = (selector.get("response") or {}).get("intent_response_key") or ""
            if found.split("/", 1)[0] == intent:
                key = found
        # small talk names no topic, unless it is a FAQ sub-intent ("out_of_scope/trademark")
        if confidence < self.min_topic_confidence or (
            key == intent and intent in self.ignored_intents
        ):
            return None
        return {
            "intent": intent,
            "intent_response_key": key,
            "topic": topic_of(intent),
            "confidence": confidence,
        }

    @staticmethod
    def _restore(message: Message, request: HandoffRequest) -> None:
        """The whole message again, with entity positions in it."""
        message.set(TEXT, message.get(_MESSAGE))
        entities = []
        for entity in message.get(ENTITIES) or []:
            entity = dict(entity)
            start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
            if isinstance(start, int) and isinstance(end, int) and end > start:
                entity[ENTITY_ATTRIBUTE_START] = request.position_in_message(start)
                entity[ENTITY_ATTRIBUTE_END] = request.position_in_message(end - 1) + 1
            entities.append(entity)
        message.set(ENTITIES, entities, add_to_output=True)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            request = message.get(_REQUEST)
            if not isinstance(request, HandoffRequest):
                continue
            ranking = [
                dict(item)
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY) not in {HANDOFF_INTENT, FALLBACK_INTENT}
            ]
            topic = self._topic_of_rest(message, ranking) if request.rest is not None else None
            if request.rest is not None and message.get(_MESSAGE):
                self._restore(message, request)
            handoff = {INTENT_NAME_KEY: HANDOFF_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, handoff, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [handoff, *ranking], add_to_output=True)
            message.set(HANDOFF_TOPIC, topic, add_to_output=True)
        return messages
