"""The user's 1–5 satisfaction rating after a handoff, as typed or sent by a button."""

from __future__ import annotations

import re
import unicodedata

_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_RATING = re.compile(r"(?:评分|打分|给)?\s*([1-5一二两三四五])\s*(?:分|星|颗星)?\s*[。.!！~]*")

# What the bot sends with the rating question: buttons whose payload is the digit itself.
RATING_BUTTONS = [{"title": f"{n} 分", "payload": str(n)} for n in (5, 4, 3, 2, 1)]
RATING_QUESTION = "请为本次人工服务打分：1～5 分（5 分最满意），直接回复数字即可。"


def parse_rating(text: str | None) -> int | None:
    """1–5 when the whole message is a rating ("5", "4分", "五星"), else None."""
    if not text:
        return None
    normalised = unicodedata.normalize("NFKC", text).strip()
    match = _RATING.fullmatch(normalised)
    if not match:
        return None
    value = match.group(1)
    return int(value) if value.isdigit() else _CHINESE_DIGITS[value]
