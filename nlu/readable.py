"""Messages the assistant cannot answer as they are: no words at all (punctuation, emoji, markup
only) or cut at the length limit (it says it read only the beginning): the NLU gives them the
fallback intent (``unreadable``, nlu.components.domain_gate); and English, which is
classified as usual but answered with a note that the assistant speaks Chinese
(dialogue.decide). The fallback action picks the note (actions/fallback.py)."""

from __future__ import annotations

import re

from core.limits import MAX_MESSAGE_CHARS

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Two Latin words and no Chinese: "hello, can you help me?"; one word ("hi", "ok", a case
# number's letters) is left to the classifiers.
_FOREIGN_WORDS = 2


def has_no_words(text: str) -> bool:
    """Nothing but punctuation, symbols, emoji or white space (or nothing)."""
    return not any(char.isalnum() for char in text)


def is_foreign(text: str) -> bool:
    """Written in a Latin-script language without a single Chinese character."""
    return not _CJK.search(text) and len(_LATIN_WORD.findall(text)) >= _FOREIGN_WORDS


def too_long(text: str) -> bool:
    """At the length limit: the channel cut the message, or the user wrote that much."""
    return len(text) >= MAX_MESSAGE_CHARS


def unreadable(text: str) -> bool:
    """Nothing to classify: the classifiers' guess would be noise."""
    return has_no_words(text) or too_long(text)
