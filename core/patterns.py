"""The one definition of what a case number and a phone number look like, shared by the NLU
entity extractor, the CSV import, the lookup form, the handoff contact form and the transcript
masking, so that all of them agree.

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

# Phone numbers. A mainland mobile number is 11 digits starting 13–19; text that was NFKC
# normalised is matched with ASCII [0-9], raw text (transcripts, contact replies) with \d so
# that full-width digits count too.
MOBILE_NUMBER = re.compile(r"1[3-9][0-9]{9}")  # a whole field: fullmatch
# A mobile number standing alone in a message (its last four digits answer the lookup form).
MOBILE_IN_TEXT = re.compile(rf"(?<![0-9]){MOBILE_NUMBER.pattern}(?![0-9])")
_COUNTRY_CODE = r"(?:\+?86[ -]?)?"
# A phone number left as a contact: mobile (optionally +86) or a landline with its area code.
CONTACT_PHONE = re.compile(rf"(?<!\d){_COUNTRY_CODE}(1[3-9]\d{{9}}|0\d{{2,3}}-?\d{{7,8}})(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# For masking: a mobile number with spaces or dashes inside, in three groups (prefix with
# the country code, middle four, last four) ...
MASKABLE_MOBILE = re.compile(rf"(?<!\d)({_COUNTRY_CODE}1[3-9]\d)[ -]?(\d{{4}})[ -]?(\d{{4}})(?!\d)")
# ... a landline: area code 0xx(x), then 7–8 digits (the last four a group of their own) ...
MASKABLE_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{3,4})(\d{4})(?!\d)")
# ... and an 18-digit resident ID (last character may be X) or the old 15-digit form.
ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")

# Four digits standing alone: the last four digits of a phone number.
_PHONE_LAST4 = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
# Four digits typed with spaces between them ("1 2 3 4").
_SPACED_DIGITS = re.compile(r"(?<![0-9])[0-9](?:[ \t][0-9]){3}(?![0-9])")
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
    candidates = [m.group()[-4:] for m in MOBILE_IN_TEXT.finditer(normalised)]
    candidates += [m.group() for m in _PHONE_LAST4.finditer(normalised)]
    if not candidates:
        candidates = [
            m.group().replace(" ", "").replace("\t", "")
            for m in _SPACED_DIGITS.finditer(normalised)
        ]
    return candidates[0] if len(candidates) == 1 else None
