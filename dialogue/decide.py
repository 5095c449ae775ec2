"""The dialogue policy's decisions, on plain data so that they are testable without Rasa.

- A bare "算了 / 不查了" while a form waits for an answer stops the form politely.
- "不查了，备案要什么材料": the form rejects the message, a rule answers the question, and
  then the form stops instead of asking again.
- A question asked a third time in a row without an answer: the form gives up (its ask
  action has already said so and offered a way out).
- Right after a form: a correction ("说错了，我们在上海", "不是专利，是商标") or a bare
  answer that names one of the form's values runs the form again with the new value, so
  the answer is given again.
- No form at all, and a bare answer that names a region, field or patent type ("新能源",
  "广东深圳"): the eligibility form starts and asks only for what is missing.
- No form and a message in English (nlu.readable.is_foreign): the fallback action says that
  the assistant answers in Chinese, whatever the classifiers made of it (a request for a
  person excepted). The classification itself is left alone (``ippc classify`` still gives
  its topic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogue.turns import Event, last_form, unanswered_in_a_row, user_turns_since_form
from knowledge_base.base import get_knowledge_base
from knowledge_base.dialogue import (
    affirmed,
    is_bare_answer,
    is_bare_stop,
    is_correction,
    stop_cue,
)
from knowledge_base.disputes import option_mentions
from nlu.readable import is_foreign
from nlu.topics import HANDOFF_INTENT

LISTEN = "action_listen"
STOP_ACTION = "action_stop_form"
# Rephrase, offer a person, or say why a message cannot be read (English: the Chinese-only note).
FALLBACK_ACTION = "action_rephrase_or_offer_human"
ELIGIBILITY_FORM = "fasttrack_eligibility_form"
DISPUTE_FORM = "dispute_form"
CASE_FORM = "case_status_form"
MAX_UNANSWERED = 2  # the third time the same question would be asked, the form gives up
RESTART_WITHIN = 3  # user messages after a form during which a correction still applies
# What a finished form leads to (the same as the rules; kept here so that a form the policy
# restarted always ends in its answer).
COMPLETION = {
    ELIGIBILITY_FORM: "action_answer_eligibility",
    DISPUTE_FORM: "action_recommend_dispute_routes",
    CASE_FORM: "action_case_status_lookup",
    "handoff_message_form": "action_handoff_leave_message",
}
ELIGIBILITY_ENTITIES = ("region", "tech_field", "patent_type")
DISPUTE_SLOTS = ("right_type", "place", "goal")
# Intents whose own rules already start the eligibility form, or that must keep their
# meaning even when they name a place (asking for a person).
NOT_AN_ELIGIBILITY_ANSWER = {"fasttrack_eligibility", HANDOFF_INTENT, "goodbye", "thanks"}


@dataclass
class Turn:
    """What the policy sees: the latest action, the form, the latest user message."""

    latest_action: str | None
    active_loop: str | None
    requested_slot: str | None
    text: str | None
    intent: str | None
    entities: Sequence[Mapping[str, Any]] = ()
    events: Sequence[Event] = field(default_factory=list)
    loop_rejected: bool = False


def _entity_mentions(turn: Turn, names: Sequence[str]) -> list[tuple[str, int, int]]:
    found = []
    for entity in turn.entities:
        if entity.get("entity") in names and entity.get("value"):
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int):
                found.append((str(entity["value"]), start, end))
    return found


def form_mentions(form: str, turn: Turn) -> list[tuple[str, int, int]]:
    """The values of ``form``'s slots the latest message names, negated ones left out."""
    text = turn.text or ""
    if form == ELIGIBILITY_FORM:
        mentions = _entity_mentions(turn, ELIGIBILITY_ENTITIES)
    elif form == DISPUTE_FORM:
        kb = get_knowledge_base()
        mentions = [m for slot in DISPUTE_SLOTS for m in option_mentions(kb, slot, text)]
    elif form == CASE_FORM:
        mentions = _entity_mentions(turn, ("case_number",))
    else:
        return []
    kept = set(affirmed(text, mentions))
    return [m for m in mentions if m[0] in kept]


def _restart(turn: Turn) -> str | None:
    """The form to run again for a correction or bare answer right after it, if any."""
    text = turn.text or ""
    form = last_form(turn.events)
    if form in (ELIGIBILITY_FORM, DISPUTE_FORM, CASE_FORM):
        since = user_turns_since_form(turn.events, form)
        mentions = form_mentions(form, turn)
        if since is not None and since <= RESTART_WITHIN and mentions:
            spans = [
                (s, e)
                for _, s, e in _entity_mentions(turn, ELIGIBILITY_ENTITIES + ("case_number",))
            ]
            spans += [(s, e) for _, s, e in mentions]
            if is_correction(text) or is_bare_answer(text, spans):
                return form
    if turn.intent in NOT_AN_ELIGIBILITY_ANSWER:
        return None
    mentions = _entity_mentions(turn, ELIGIBILITY_ENTITIES)
    if mentions and is_bare_answer(text, [(s, e) for _, s, e in mentions]):
        return ELIGIBILITY_FORM
    return None


def next_action(turn: Turn) -> str | None:
    """The action this policy insists on, or None to leave the choice to the rules."""
    latest, loop = turn.latest_action, turn.active_loop
    if latest == STOP_ACTION:
        return LISTEN
    if latest == LISTEN:
        if turn.text is None or turn.intent == HANDOFF_INTENT:
            return None
        if loop:
            if not turn.loop_rejected and is_bare_stop(turn.text):
                return STOP_ACTION
            return None
        if is_foreign(turn.text):
            return FALLBACK_ACTION
        return _restart(turn)
    if loop is None:
        if latest == FALLBACK_ACTION and turn.text is not None and is_foreign(turn.text):
            return LISTEN
        if latest in COMPLETION and turn.requested_slot is None and _just_ran(turn, latest):
            return COMPLETION[latest]
        return None
    if latest == loop:
        slot = turn.requested_slot
        if slot and unanswered_in_a_row(turn.events, loop, slot) >= MAX_UNANSWERED:
            return STOP_ACTION
        return None
    # Another action answered a message the form could not use.
    if stop_cue(turn.text):
        return STOP_ACTION
    return None


def _just_ran(turn: Turn, form: str) -> bool:
    """The form's own run ended it just now (its last event is its deactivation)."""
    for event in reversed(list(turn.events)):
        kind = event.get("event")
        if kind == "active_loop":
            return event.get("name") is None
        if kind == "action":
            return False
    return False
