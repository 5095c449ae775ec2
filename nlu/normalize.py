"""Text normalisation applied before anything reads a user message.

Full-width letters and digits become half-width (NFKC), traditional characters become
simplified (OpenCC ``t2s``), control characters are dropped and runs of white space folded,
so that "ＹＳ２０２５　專利" and "YS2025 专利" look the same to the NLU and the actions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

MAX_MESSAGE_CHARS = 2000  # longer messages are cut: nothing useful for NLU lies past this
_SPACES = re.compile(r"\s+")


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
    text = "".join(char for char in text if _is_kept(char))
    text = _SPACES.sub(" ", text).strip()[:MAX_MESSAGE_CHARS]
    return _t2s().convert(text) if text else ""
