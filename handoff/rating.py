"""The user's 1–5 satisfaction rating after a handoff, as typed or sent by a button. The words
around the digit and the Chinese numerals are in knowledge_base/data/words/handoff.yml."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge_base.texts import say
from knowledge_base.words import words

SCORES = (1, 2, 3, 4, 5)


def _alternation(options: tuple[str, ...]) -> str:
    return "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))


@lru_cache(maxsize=1)
def _grammar() -> tuple[re.Pattern[str], dict[str, int]]:
    """The rating pattern and the score of each Chinese numeral, built from the word lists."""
    numerals = {w: n for n in SCORES for w in words(f"handoff.rating.numerals.{n}")}
    digit = _alternation(tuple(map(str, SCORES)) + tuple(numerals))
    pattern = re.compile(
        rf"(?:{_alternation(words('handoff.rating.before'))})?\s*({digit})\s*"
        rf"(?:{_alternation(words('handoff.rating.after'))})?\s*[。.!！~]*"
    )
    return pattern, numerals


def rating_buttons() -> list[dict[str, str]]:
    """What the bot sends with the rating question: buttons whose payload is the digit."""
    return [
        {"title": say("handoff.rating_button", score=n), "payload": str(n)}
        for n in reversed(SCORES)
    ]


def rating_question() -> dict[str, object]:
    return {"text": say("handoff.rating_question"), "buttons": rating_buttons()}


def parse_rating(text: str | None) -> int | None:
    """1–5 when the whole message is a rating ("5", "4分", "五星"), else None."""
    if not text:
        return None
    pattern, numerals = _grammar()
    match = pattern.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    value = match.group(1)
    return int(value) if value.isdigit() else numerals[value]
