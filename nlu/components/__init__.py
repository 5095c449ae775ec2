"""Custom Rasa graph components of the Chinese NLU pipeline (see bot/config.yml)."""

from nlu.components.char_ngram_classifier import CharNgramIntentClassifier
from nlu.components.char_ngram_response_selector import CharNgramResponseSelector
from nlu.components.domain_gate import OutOfDomainGate
from nlu.components.entity_ruler import KnowledgeEntityRuler
from nlu.components.handoff_request import HandoffRequestMarker, HandoffRequestOverride
from nlu.components.text_normalizer import TextNormalizer
from nlu.components.tokenizer import DomainJiebaTokenizer

__all__ = [
    "CharNgramIntentClassifier",
    "CharNgramResponseSelector",
    "DomainJiebaTokenizer",
    "HandoffRequestMarker",
    "HandoffRequestOverride",
    "KnowledgeEntityRuler",
    "OutOfDomainGate",
    "TextNormalizer",
]
