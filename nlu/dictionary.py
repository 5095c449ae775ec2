"""The jieba user dictionary, generated from the knowledge base (never written by hand)."""

from __future__ import annotations

import jieba

from knowledge_base.base import KnowledgeBase

# High enough that jieba keeps every domain term whole ("新能源电池", "深圳市").
TERM_FREQUENCY = 200_000
_TAGS = {"center": "nt", "region": "ns", "tech_field": "nz", "patent_type": "nz"}


def dictionary_lines(kb: KnowledgeBase) -> list[str]:
    """Lines of a jieba user dictionary: ``term frequency tag``; terms with spaces are skipped."""
    words: dict[str, str] = {}
    for label, term, _value in kb.entity_terms():
        words.setdefault(term, _TAGS.get(label, "nz"))
    for term in kb.glossary:
        words.setdefault(term, "n")
    return [
        f"{term} {TERM_FREQUENCY} {tag}" for term, tag in sorted(words.items()) if " " not in term
    ]


def load_lines(lines: list[str]) -> None:
    """Add dictionary lines to jieba's global tokenizer (used by Rasa and spaCy alike)."""
    for line in lines:
        term, frequency, tag = line.rsplit(" ", 2)
        jieba.add_word(term, int(frequency), tag)
