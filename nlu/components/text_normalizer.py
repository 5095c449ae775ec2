"""Normalises every message (full-width, traditional characters, control characters) first."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import UntrainedComponent
from nlu.normalize import normalize_text


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(UntrainedComponent):
    """Rewrites the text of training examples and incoming messages to canonical form."""

    @staticmethod
    def required_packages() -> list[str]:
        return ["opencc"]  # traditional → simplified

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str):
            message.set(TEXT, normalize_text(text) or " ")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages
