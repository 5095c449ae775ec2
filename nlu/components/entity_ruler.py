"""Finds centers, regions, technical fields and patent types with a spaCy entity ruler built
from the knowledge base (blank ``zh`` pipeline, jieba segmenter), plus case numbers by
regex. Every entity carries its canonical value (锂电池 → 新能源, 深圳市 → 深圳)."""

from __future__ import annotations

from typing import Any

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.patterns import find_case_numbers
from knowledge_base.base import get_knowledge_base
from nlu.components.base import StoredDataComponent


def build_pipeline(patterns: list[dict[str, str]]) -> spacy.language.Language:
    """A blank Chinese spaCy pipeline (jieba words) with an entity ruler of ``patterns``."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(patterns)
    return nlp


def knowledge_patterns() -> list[dict[str, str]]:
    """Entity-ruler patterns of every term of the knowledge base, longest first."""
    terms = sorted(get_knowledge_base().entity_terms(), key=lambda t: -len(t[1]))
    return [{"label": label, "pattern": term, "id": value} for label, term, value in terms]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class KnowledgeEntityRuler(StoredDataComponent[list[dict[str, str]]], EntityExtractorMixin):
    """Rule-based extractor: the knowledge base is the single source of its patterns."""

    STORED_FILE = "patterns.json"

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "jieba"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        patterns: list[dict[str, str]],
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.patterns = patterns
        self._nlp = build_pipeline(patterns)

    @classmethod
    def make_data(cls, config: dict[str, Any]) -> list[dict[str, str]]:
        return knowledge_patterns()

    def stored_data(self) -> list[dict[str, str]]:
        return self.patterns

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Entities of ``text``: knowledge-base terms and case numbers, without overlaps."""
        entities = [
            {
                "entity": span.label_,
                "value": span.ent_id_ or span.text,
                "start": span.start_char,
                "end": span.end_char,
                "confidence_entity": 1.0,
            }
            for span in self._nlp(text).ents
        ]
        for match in find_case_numbers(text):
            if all(match.end <= e["start"] or match.start >= e["end"] for e in entities):
                entities.append(
                    {
                        "entity": "case_number",
                        "value": match.value,
                        "start": match.start,
                        "end": match.end,
                        "confidence_entity": 1.0,
                    }
                )
        return sorted(entities, key=lambda e: e["start"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or not text.strip():
                continue
            found = self.add_extractor_name(self.extract(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
