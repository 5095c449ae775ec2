"""Rasa's jieba tokenizer, with a user dictionary generated from the knowledge base at
training time and stored inside the model, so a trained model is self-contained."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge_base.base import get_knowledge_base
from nlu.components.storage import read_text, write_text
from nlu.dictionary import dictionary_lines, load_lines

DICTIONARY_FILE = "userdict.txt"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class DomainJiebaTokenizer(JiebaTokenizer):
    """jieba with the domain's words (centers, regions, fields, glossary) kept whole."""

    @staticmethod
    def supported_languages() -> list[str]:
        return ["zh"]

    @staticmethod
    def required_packages() -> list[str]:
        return ["jieba"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lines: list[str] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._lines = lines or []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DomainJiebaTokenizer:
        lines = dictionary_lines(get_knowledge_base())
        load_lines(lines)
        return cls(config, model_storage, resource, lines)

    def train(self, training_data: TrainingData) -> Resource:
        write_text(self._model_storage, self._resource, DICTIONARY_FILE, "\n".join(self._lines))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DomainJiebaTokenizer:
        lines = read_text(model_storage, resource, DICTIONARY_FILE).splitlines()
        load_lines(lines)
        return cls(config, model_storage, resource, lines)

    def persist(self) -> None:
        """Nothing beyond ``train``: the dictionary is written there."""
