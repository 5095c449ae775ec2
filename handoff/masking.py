"""Mask phone and ID-card numbers before a transcript is stored, shown or exported."""

from __future__ import annotations

import re

from core.patterns import ID_CARD, MASKABLE_LANDLINE, MASKABLE_MOBILE


def _mask_id(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_sensitive(text: str | None) -> str:
    """``text`` with ID-card numbers and phone numbers replaced by asterisks except a few
    digits, enough for staff to recognise a number the user repeats but not to use it."""
    if not text:
        return text or ""
    text = ID_CARD.sub(_mask_id, text)
    text = MASKABLE_MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return MASKABLE_LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
