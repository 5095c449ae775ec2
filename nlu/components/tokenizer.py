"""Rasa's jieba tokenizer, with a user dictionary generated from the knowledge base at
training time and stored inside the model, so a trained model is self-contained."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer

from knowledge_base.base import get_knowledge_base
from nlu.components.base import StoredDataComponent
from nlu.dictionary import dictionary_lines, load_lines


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class DomainJiebaTokenizer(StoredDataComponent[list[str]], JiebaTokenizer):
    """jieba with the domain's words (centers, regions, fields, glossary) kept whole."""

    STORED_FILE = "userdict.txt"

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
        # jieba's tokenizer is global: the words are added when the component is made
        load_lines(self._lines)

    @classmethod
    def make_data(cls, config: dict[str, Any]) -> list[str]:
        return dictionary_lines(get_knowledge_base())

    def stored_data(self) -> list[str]:
        return self._lines

    @staticmethod
    def to_text(data: list[str]) -> str:
        return "\n".join(data)

    @staticmethod
    def from_text(text: str) -> list[str]:
        return text.splitlines()
