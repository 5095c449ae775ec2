"""Mask phone and ID-card numbers before a transcript is stored, shown or exported; and the
digits that prove a case is one's own (a case number followed by four digits, or the answer to
the "last four digits" question), also in the events Rasa stores."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from typing import Any

from core.patterns import CASE_NUMBER_PATTERN, ID_CARD, MASKABLE_LANDLINE, MASKABLE_MOBILE


def _mask_id(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# A case number, a few separating characters, then four digits: the lookup's proof.
_CASE_AND_DIGITS = re.compile(
    rf"({CASE_NUMBER_PATTERN.pattern})([^0-9A-Za-z]{{0,12}}?)(?<![0-9])[0-9]{{4}}"
    r"(?![0-9]|\s*[-/.:年月日号元])"  # not a date, a time or an amount
)
_DIGITS = re.compile(r"[0-9０-９]")
# Slots whose value proves identity: never stored in clear.
SECRET_SLOTS = ("phone_last4",)
MASK = "****"


def mask_sensitive(text: str | None) -> str:
    """``text`` with ID-card numbers and phone numbers replaced by asterisks except a few
    digits, enough for staff to recognise a number the user repeats but not to use it."""
    if not text:
        return text or ""
    text = _CASE_AND_DIGITS.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = ID_CARD.sub(_mask_id, text)
    text = MASKABLE_MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return MASKABLE_LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)


def scrub_events(
    events: Iterable[dict[str, Any]], requested_slot: str | None = None
) -> list[dict[str, Any]]:
    """Copies of Rasa events (as dicts) without the identity proof: the value of a secret slot,
    every digit of a user message answering a secret slot's question (``requested_slot``),
    and phone, ID and case-number-plus-digits in every user message. ``requested_slot``: the
    slot asked for before the first of ``events``."""
    scrubbed = []
    for event in events:
        event = copy.deepcopy(event)
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested_slot = event.get("value")
        elif kind == "slot" and event.get("name") in SECRET_SLOTS and event.get("value"):
            event["value"] = MASK
        elif kind == "user":
            _scrub_user(event, answers_secret=requested_slot in SECRET_SLOTS)
        scrubbed.append(event)
    return scrubbed


def requested_slot_before(events: Sequence[Any], end: int) -> str | None:
    """The slot a form was asking for after the first ``end`` of a tracker's ``events`` (Rasa
    events: the latest ``requested_slot`` slot event before ``end``)."""
    for index in range(end - 1, -1, -1):
        event = events[index]
        if event.type_name == "slot" and event.key == "requested_slot":
            return event.value
    return None


def _scrub_user(event: dict[str, Any], answers_secret: bool) -> None:
    def scrub(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return _DIGITS.sub("*", text) if answers_secret else mask_sensitive(text)

    event["text"] = scrub(event.get("text"))
    parse = event.get("parse_data")
    if isinstance(parse, dict):
        parse["text"] = scrub(parse.get("text"))
        for entity in parse.get("entities") or []:
            if isinstance(entity, dict) and (
                answers_secret or entity.get("entity") in SECRET_SLOTS
            ):
                entity["value"] = MASK
