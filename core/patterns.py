"""The one definition of what a case number looks like, shared by the NLU entity extractor,
the CSV import and the lookup form, so that all three agree on the same normalised value.

A case number is a short Latin prefix (YS 预审, BA 备案, WQ 维权, or a center's own), a year
(19xx/20xx) and a serial number: ``YS2025000123``. Users type it in lower case, with spaces
(``ys 2025 000123``) or with full-width characters; the pattern applies to text after NFKC
normalisation, which ``find_case_numbers`` does while keeping offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The year must look like one, so that "TEL 13812345678" is not a case number; the serial
# part has no inner spaces, so "YS2025000123 1234" leaves the trailing phone digits alone.
CASE_NUMBER_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{1,4}[ \t-]?(?:19|20)[0-9]{2}[ \t-]?[0-9]{4,8}(?![0-9])"
)

# Four digits standing alone: the last four digits of a phone number.
_PHONE_LAST4 = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
# Four digits typed with spaces between them ("1 2 3 4").
_SPACED_DIGITS = re.compile(r"(?<![0-9])[0-9](?:[ \t][0-9]){3}(?![0-9])")
# A whole mainland mobile number: its last four digits are the answer.
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CaseNumberMatch:
    """A case number found in a message: offsets into the original text and its value."""

    start: int
    end: int
    text: str
    value: str


def nfkc(text: str) -> str:
    """Full-width letters, digits and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def normalise_case_number(text: str) -> str:
    """The stored and compared form: NFKC, upper case, whitespace removed."""
    return _WHITESPACE.sub("", nfkc(text)).upper()


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC character by character, with the original index of every output character."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normalised = unicodedata.normalize("NFKC", char)
        pieces.append(normalised)
        origin.extend([index] * len(normalised))
    return "".join(pieces), origin


def find_case_numbers(text: str) -> list[CaseNumberMatch]:
    """Every case number in ``text`` with its offsets in the original (un-normalised) text."""
    normalised, origin = _normalise_with_offsets(text)
    matches = []
    for match in CASE_NUMBER_PATTERN.finditer(normalised):
        start = origin[match.start()]
        end = origin[match.end() - 1] + 1
        matches.append(
            CaseNumberMatch(start, end, text[start:end], normalise_case_number(match.group()))
        )
    return matches


def extract_phone_last4(text: str) -> str | None:
    """The four phone digits in a message, ignoring any case number in it; None when there is
    not exactly one candidate (ambiguity is asked again rather than guessed)."""
    normalised = CASE_NUMBER_PATTERN.sub(" ", nfkc(text))
    candidates = [m.group()[-4:] for m in _MOBILE.finditer(normalised)]
    candidates += [m.group() for m in _PHONE_LAST4.finditer(normalised)]
    if not candidates:
        candidates = [
            m.group().replace(" ", "").replace("\t", "")
            for m in _SPACED_DIGITS.finditer(normalised)
        ]
    return candidates[0] if len(candidates) == 1 else None
