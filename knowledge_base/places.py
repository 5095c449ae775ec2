"""Who serves a place: a city's own center and its province-level center, each with its
fields; a place with no listed center gets "not in our list", the national count and where
to ask - never another province's center without saying it takes only its own area."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase, Region
from knowledge_base.centers import CenterView
from knowledge_base.texts import say


def center_lines(centers: list[CenterView]) -> list[str]:
    """One line per center, then the "confirm with the center" advice if any entry is dated."""
    lines = [c.line() for c in centers]
    if any(c.dated for c in centers):
        lines.append(say("knowledge.center.dated_advice"))
    return lines


def not_listed(kb: KnowledgeBase, region: Region, *more: str) -> str:
    """No listed center serves the place: say so, the national figures, where to ask
    (then any ``more`` lines), and the footnote last."""
    return "\n".join(
        [
            say("knowledge.places.not_listed", place=region.name, listed=len(kb.centers())),
            kb.facts["national_figures"].text,
            say("knowledge.places.where_to_ask", province=region.province),
            *more,
            kb.footnote([kb.facts["national_figures"].source]),
        ]
    )


def serving_text(kb: KnowledgeBase, region: Region) -> str:
    """The centers that serve ``region`` with their fields (or where to ask when none)."""
    serving = kb.centers_serving(region)
    if not serving:
        return not_listed(kb, region)
    if region.is_city and len(serving) > 1:
        head = say("knowledge.places.served_by_city_and_province", place=region.name)
    elif region.is_city:
        head = say("knowledge.places.served_by", place=region.name)
    else:
        head = say("knowledge.places.province_centers", province=region.name)
    return "\n".join([head, *center_lines(serving), kb.centers_footnote(serving)])


def field_choices(kb: KnowledgeBase, region: Region | None) -> list[str]:
    """Fields to offer as buttons: those of the centers serving the region (all otherwise)."""
    centers = kb.centers_serving(region) if region else []
    if centers:
        return list(dict.fromkeys(f for c in centers for f in c.canonical_fields))
    return list(kb.fields)


def ask_field(kb: KnowledgeBase, region: Region | None) -> tuple[str, list[dict[str, str]]]:
    """For a product the glossary does not know: the question and the fields as buttons
    (payload is the field's name, which the NLU recognises as a tech_field)."""
    choices = field_choices(kb, region)
    if region and kb.centers_serving(region):
        text = say("knowledge.eligibility.ask_field", place=region.name)
    else:
        text = say("knowledge.eligibility.ask_field_anywhere")
    buttons = [{"title": f, "payload": f} for f in choices]
    other = say("knowledge.eligibility.field_other")
    buttons.append({"title": other, "payload": other})
    return text, buttons
