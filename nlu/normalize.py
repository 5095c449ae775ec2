"""Text normalisation applied before anything reads a user message.

Full-width letters and digits become half-width (NFKC), traditional characters become
simplified (OpenCC ``t2s``), control characters and HTML markup are dropped and runs of white
space folded, so that "ＹＳ２０２５　專利" and "YS2025 专利" look the same to the NLU and the
actions, and a pasted ``<script>`` is not read as words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from core.limits import MAX_MESSAGE_CHARS

_SPACES = re.compile(r"\s+")
# Script and style elements with their content, then any tag ("<img …>", "</b>"); a "<"
# followed by anything but a letter, "/" or "!" ("<5年", "<专利>") is text and stays.
_MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)|<[a-zA-Z/!][^<>]{0,500}>",
    re.IGNORECASE | re.DOTALL,
)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _is_kept(char: str) -> bool:
    category = unicodedata.category(char)
    return not (category.startswith("C") and char not in "\n\t")


def normalize_text(text: str | None) -> str:
    """The canonical form of a user message (never raises; ``None`` becomes "")."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_MESSAGE_CHARS * 2])
    text = _MARKUP.sub(" ", text)
    text = "".join(char for char in text if _is_kept(char))
    text = _SPACES.sub(" ", text).strip()[:MAX_MESSAGE_CHARS]
    return _t2s().convert(text) if text else ""
