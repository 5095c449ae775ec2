"""Mask phone and ID-card numbers before a transcript is stored, shown or exported."""

from __future__ import annotations

import re

# 18-digit resident ID (last character may be X) and the old 15-digit form.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally with +86 and spaces or dashes inside.
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[ -]?)?1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
# Landlines: area code 0xx(x) and 7–8 digits, with or without a dash.
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{3,4})(\d{4})(?!\d)")


def _mask_id(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_sensitive(text: str | None) -> str:
    """``text`` with ID-card numbers and phone numbers replaced by asterisks except a few
    digits, enough for staff to recognise a number the user repeats but not to use it."""
    if not text:
        return text or ""
    text = _ID_CARD.sub(_mask_id, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
