"""Finds an explicit request for a person ("转人工", "人工客服", "找真人" …) in a message.

A user who asks for a person must get one whatever else the message says, so this is a word
match, not a guess of the classifier. The words live in
knowledge_base/data/words/handoff_request.yml (read by knowledge_base.words);
what is left of the message once the request is cut out is classified on its own, so that the
handoff ticket can carry the topic of the rest ("我要转人工，问一下海外维权的事" → 海外维权).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.paths import knowledge_dir
from knowledge_base.words import load_words

WORDS_KEY = "handoff_request"  # words/handoff_request.yml
LISTS = ("requests", "whole_messages", "not_requests", "negations", "fillers")
MAX_NEGATION_GAP = 2  # characters allowed between "不用" and "转人工" ("不用帮我转人工")
MIN_REST_CHARS = 4  # fewer letters than this left over, fillers aside, is no question of its own
_NOT_LETTERS = re.compile(r"[\W_]+")
_MASK = "\x00"


class HandoffWordsError(ValueError):
    """The word list is missing or malformed (message names the file and the field)."""


@dataclass(frozen=True)
class HandoffWords:
    """The lists of words/handoff_request.yml, lower-cased."""

    requests: tuple[str, ...]
    whole_messages: tuple[str, ...]
    not_requests: tuple[str, ...]
    negations: tuple[str, ...]
    fillers: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Any, source: str = WORDS_KEY) -> HandoffWords:
        if not isinstance(data, dict):
            raise HandoffWordsError(f"{source}: expected a mapping of word lists")
        lists = {}
        for name in LISTS:
            words = data.get(name) or []
            if not isinstance(words, list) or not all(
                isinstance(w, str) and w.strip() for w in words
            ):
                raise HandoffWordsError(f"{source}: {name}: expected a list of non-empty words")
            lists[name] = tuple(sorted({w.strip().lower() for w in words}, key=len, reverse=True))
        if not lists["requests"]:
            raise HandoffWordsError(f"{source}: requests: at least one word is required")
        return cls(**lists)

    def as_dict(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in LISTS}


def load_handoff_words(directory: Path | None = None) -> HandoffWords:
    """The word lists of the knowledge base (``IPPC_KNOWLEDGE_DIR`` or knowledge_base/data);
    a list left out is empty, except ``requests``."""
    lists = load_words(str(directory or knowledge_dir()))
    data = {name: list(lists.get(f"{WORDS_KEY}.{name}", ())) for name in LISTS}
    return HandoffWords.from_dict(data, f"words/{WORDS_KEY}.yml")


@dataclass(frozen=True)
class HandoffRequest:
    """Where a message asks for a person, and the rest of it.

    ``rest`` is the message without the request words, or None when nothing worth classifying
    is left; ``kept`` lists the (start, end) spans of the message that make up ``rest``, so that
    positions in ``rest`` can be mapped back to the message.
    """

    spans: tuple[tuple[int, int], ...]
    rest: str | None
    kept: tuple[tuple[int, int], ...]

    def position_in_message(self, position: int) -> int:
        """The position in the message of ``position`` in ``rest``."""
        offset = 0
        for start, end in self.kept:
            length = end - start
            if position < offset + length or (start, end) == self.kept[-1]:
                return start + position - offset
            offset += length
        return position


def _mask(text: str, phrases: tuple[str, ...]) -> str:
    for phrase in phrases:
        text = text.replace(phrase, _MASK * len(phrase))
    return text


def _negated(masked: str, start: int, negations: tuple[str, ...]) -> bool:
    before = masked[max(0, start - MAX_NEGATION_GAP - 4) : start]
    for negation in negations:
        at = before.rfind(negation)
        if at < 0:
            continue
        gap = before[at + len(negation) :]
        if len(gap) <= MAX_NEGATION_GAP and not _NOT_LETTERS.search(gap):
            return True
    return False


def _is_whole_request(text: str, words: HandoffWords) -> bool:
    letters = _NOT_LETTERS.sub("", text)
    if not letters or not words.whole_messages:
        return False
    pattern = "(?:" + "|".join(re.escape(w) for w in words.whole_messages) + ")+"
    return re.fullmatch(pattern, letters) is not None


def find_request(text: str, words: HandoffWords) -> HandoffRequest | None:
    """The request for a person in ``text`` (a normalised message), or None if it asks for none."""
    lower = text.lower()
    if _is_whole_request(lower, words):
        return HandoffRequest(spans=((0, len(text)),), rest=None, kept=())
    masked = _mask(lower, words.not_requests)
    spans: list[tuple[int, int]] = []
    for word in words.requests:
        start = masked.find(word)
        while start >= 0:
            end = start + len(word)
            free = all(end <= s or start >= e for s, e in spans)
            if free and not _negated(masked, start, words.negations):
                spans.append((start, end))
            start = masked.find(word, end)
    if not spans:
        return None
    spans.sort()
    kept, cursor = [], 0
    for start, end in spans:
        if start > cursor:
            kept.append((cursor, start))
        cursor = end
    if cursor < len(text):
        kept.append((cursor, len(text)))
    rest = "".join(text[s:e] for s, e in kept)
    if len(_mask(_NOT_LETTERS.sub("", rest.lower()), words.fillers).replace(_MASK, "")) < (
        MIN_REST_CHARS
    ):
        return HandoffRequest(spans=tuple(spans), rest=None, kept=())
    return HandoffRequest(spans=tuple(spans), rest=rest, kept=tuple(kept))
