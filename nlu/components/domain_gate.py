"""Out of scope rather than "not understood": a message that names nothing of the centers'
business and that the classifiers cannot place is most likely about something else.

Runs after the fallback classifier. When the best real intent is below ``max_confidence``, is
not small talk, and the message contains none of the domain words (knowledge_base/data/
domain_words.yml plus every center, region, field, patent type and glossary term of the
knowledge base), the intent becomes ``out_of_scope``: "帮我设个闹钟" gets the polite redirect,
"预审那个…" still gets the request to rephrase. Measured with ``python -m nlu.crossval``.
"""

from __future__ import annotations

from typing import Any

import yaml
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

from core.paths import knowledge_dir
from knowledge_base.base import get_knowledge_base
from nlu.components.base import StoredDataComponent
from nlu.topics import FALLBACK_INTENT, HANDOFF_INTENT

WORDS_FILE = "domain_words.yml"
OUT_OF_SCOPE = "out_of_scope"


class DomainWordsError(ValueError):
    """domain_words.yml is missing or malformed."""


def load_domain_words() -> list[str]:
    """The domain words of the knowledge base, lower-cased, longest first."""
    path = knowledge_dir() / WORDS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DomainWordsError(f"{WORDS_FILE}: cannot be read: {error}") from None
    words = data.get("words") if isinstance(data, dict) else None
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise DomainWordsError(f"{WORDS_FILE}: words: expected a list of non-empty words")
    kb = get_knowledge_base()
    terms = set(words) | {term for _label, term, _value in kb.entity_terms()} | set(kb.glossary)
    return sorted({t.strip().lower() for t in terms if t.strip()}, key=len, reverse=True)


def names_the_domain(text: str, words: list[str]) -> bool:
    lower = text.lower()
    return any(word in lower for word in words)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class OutOfDomainGate(StoredDataComponent[list[str]], IntentClassifier):
    """Unsure and about nothing of the domain → out_of_scope (the rest of the ranking kept)."""

    STORED_FILE = "domain_words.json"

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        words: list[str],
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.max_confidence = float(config["max_confidence"])
        self.small_talk = set(config["small_talk"]) | {HANDOFF_INTENT, OUT_OF_SCOPE}
        self.words = words

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "max_confidence": 0.45,
            # greetings and thanks name no domain word either; they are never moved
            "small_talk": ["greet", "goodbye", "thanks", "bot_identity"],
        }

    @staticmethod
    def required_packages() -> list[str]:
        return []

    @classmethod
    def make_data(cls, config: dict[str, Any]) -> list[str]:
        return load_domain_words()

    def stored_data(self) -> list[str]:
        return self.words

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            if not isinstance(text, str) or intent.get(INTENT_NAME_KEY) == HANDOFF_INTENT:
                continue
            if text.strip() and not any(char.isalnum() for char in text):
                # "？", "？？？", emoji only: nothing to understand, so a prompt to say it in
                # words (the fallback), not "that is not our topic" nor a guessed answer.
                self._gate(message, FALLBACK_INTENT, 1.0)
                continue
            ranking = [
                dict(item)
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY) != FALLBACK_INTENT
            ]
            if not ranking:
                continue
            best = ranking[0]
            confidence = float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            if (
                confidence >= self.max_confidence
                or best.get(INTENT_NAME_KEY) in self.small_talk
                or names_the_domain(text, self.words)
            ):
                continue
            self._gate(message, OUT_OF_SCOPE, 1.0 - confidence)
        return messages

    @staticmethod
    def _gate(message: Message, intent: str, confidence: float) -> None:
        """``intent`` first, the classifiers' real intents after it."""
        gated = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}
        rest = [
            dict(item)
            for item in message.get(INTENT_RANKING_KEY) or []
            if item.get(INTENT_NAME_KEY) not in (intent, FALLBACK_INTENT)
        ]
        message.set(INTENT, gated, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [gated, *rest], add_to_output=True)
