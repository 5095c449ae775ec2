"""Out of scope rather than "not understood": a message that names nothing of the centers'
business and that the classifiers cannot place is most likely about something else.

Runs after the fallback classifier. When the best real intent is below ``max_confidence`` and
the message contains none of the domain words (knowledge_base/data/words/domain.yml plus every
center, region, field, patent type and glossary term of the knowledge base), the intent
becomes ``out_of_scope``: "帮我设个闹钟" gets the polite redirect, "预审那个…" still gets the
request to rephrase; unsure small talk stays small talk when it is short ("在么"). Messages
with nothing to classify (nlu.readable) get the fallback, whose action says why. Measured
with ``python -m nlu.crossval``.
"""

from __future__ import annotations

from typing import Any

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

from knowledge_base.base import get_knowledge_base
from knowledge_base.words import words
from nlu.components.base import StoredDataComponent
from nlu.readable import unreadable
from nlu.topics import FALLBACK_INTENT, HANDOFF_INTENT

OUT_OF_SCOPE = "out_of_scope"


def load_domain_words() -> list[str]:
    """The domain words of the knowledge base, lower-cased, longest first."""
    domain = words("domain.words")
    kb = get_knowledge_base()
    terms = set(domain) | {term for _label, term, _value in kb.entity_terms()} | set(kb.glossary)
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
        self.small_talk = set(config["small_talk"])
        self.short_small_talk = int(config["short_small_talk"])
        self.small_talk_confidence = float(config["small_talk_confidence"])
        self.words = words

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "max_confidence": 0.45,
            # greetings and thanks name no domain word either; they are never moved
            "small_talk": ["greet", "goodbye", "thanks", "bot_identity"],
            # up to this many characters, unsure small talk stays small talk ("在么", "有劳了")
            "short_small_talk": 4,
            # small talk from this confidence on is believed at any length ("你好呀，小助手")
            "small_talk_confidence": 0.3,
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
            if unreadable(text):
                # "？", emoji or markup only, a message cut at the length limit: nothing to
                # guess from, so the fallback, whose action says why (rephrase, too long),
                # not "that is not our topic" nor a guessed answer.
                self._gate(message, FALLBACK_INTENT, 1.0)
                continue
            ranking = [
                dict(item)
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY) != FALLBACK_INTENT
            ]
            if not ranking:
                continue
            decided = self._decide(text, ranking[0])
            if decided is not None:
                self._gate(message, *decided)
        return messages

    def _decide(self, text: str, best: dict[str, Any]) -> tuple[str, float] | None:
        """The intent an unsure message gets, or None to leave the classifiers' verdict.

        Unsure and naming nothing of the domain: out_of_scope, also when the classifiers'
        best guess was small talk ("昨晚湖人赢了吗" scored as thanks); small talk is believed
        from ``small_talk_confidence`` on, and below it only in a very short message ("在么",
        "蟹蟹"). A best guess of out_of_scope itself below the fallback threshold stays the
        fallback: inside a form such a message ("这个不好说") is a failed answer, and the form
        asks again instead of redirecting the user."""
        name = best.get(INTENT_NAME_KEY)
        confidence = float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if confidence >= self.max_confidence or names_the_domain(text, self.words):
            return None
        if name in self.small_talk:
            if (
                confidence >= self.small_talk_confidence
                or len(text.strip()) <= self.short_small_talk
            ):
                return str(name), confidence
        elif name in (HANDOFF_INTENT, OUT_OF_SCOPE):
            return None
        return OUT_OF_SCOPE, 1.0 - confidence

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
