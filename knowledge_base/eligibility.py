"""Who can use which center's fast-track pre-examination: answers composed from the
centers tables, so every claim in them can be traced to knowledge_base/data.

``answer_eligibility`` picks one of four answers (conditions only, unknown field, eligible,
not in the local scope); each is its own small function below."""

from __future__ import annotations

from knowledge_base.base import CenterView, KnowledgeBase, Region
from knowledge_base.places import ask_field, center_lines, not_listed, serving_text
from knowledge_base.texts import say
from knowledge_base.words import words


def any_patent_type() -> str:
    """The form's value for "any patent type" ("不限")."""
    return words("knowledge.patent_type.any")[0]


def unsure_of_patent_type(text: str | None) -> bool:
    """Asked for the patent type, the user does not know or mind ("还不确定")."""
    return any(word in (text or "") for word in words("knowledge.patent_type.unsure"))


__all__ = [
    "answer_eligibility",
    "any_patent_type",
    "ask_field",
    "center_scope",
    "centers_with_field_text",
    "matching_centers",
    "own_center_answer",
    "refers_to_own_center",
    "serving_text",
    "short_verdict",
    "unsure_of_patent_type",
]


def _timing_line(kb: KnowledgeBase, patent_type: str | None) -> str:
    types = (
        [kb.patent_types[patent_type]]
        if patent_type in kb.patent_types
        else list(kb.patent_types.values())
    )
    items = [
        say("knowledge.eligibility.timing_item", name=t.name, time=t.preexam_grant_time)
        for t in types
    ]
    return say(
        "knowledge.eligibility.timing",
        times=say("knowledge.eligibility.timing_separator").join(items),
    )


def centers_with_field_text(kb: KnowledgeBase, field: str) -> str:
    """'Centers whose scope contains field' as a list, or that none of the listed does
    (no footnote: the caller adds ``kb.centers_table_source_line``)."""
    centers = kb.centers_with_field(field)
    if not centers:
        return say("knowledge.eligibility.no_center_with_field", field=field)
    return "\n".join(
        [say("knowledge.eligibility.centers_with_field", field=field), *center_lines(centers)]
    )


def center_scope(kb: KnowledgeBase, center: CenterView) -> str:
    """A center's pre-examination fields and the conditions to use them."""
    lines = [say("knowledge.scope.fields", name=center.short_name, fields=center.fields_text())]
    if center.short_name != center.name:
        lines.append(say("knowledge.center.formal_name", name=center.name))
    elif center.formal_name_unconfirmed:
        lines.append(say("knowledge.center.formal_name_unconfirmed"))
    lines.append(say("knowledge.scope.conditions", area=center.area_text()))
    if center.dated:
        lines.append(say("knowledge.center.dated_advice_one", when=center.when()))
    lines.append(kb.centers_footnote([center]))
    return "\n".join(lines)


def matching_centers(kb: KnowledgeBase, region: Region, field: str) -> list[CenterView]:
    """Centers serving ``region`` whose scope contains the canonical ``field``."""
    return [c for c in kb.centers_serving(region) if field in c.canonical_fields]


def short_verdict(kb: KnowledgeBase, region: Region | None, field: str | None) -> str | None:
    """One line said before asking the patent type, so the center is named at once."""
    if region is None or not field:
        return None
    matching = matching_centers(kb, region, field)
    if matching:
        names = "、".join(c.short_name for c in matching)
        return say(
            "knowledge.eligibility.verdict_match", place=region.name, field=field, names=names
        )
    if not kb.centers_serving(region):
        return say("knowledge.eligibility.verdict_no_center", place=region.name)
    return say("knowledge.eligibility.verdict_no_match", place=region.name, field=field)


def _known_field(kb: KnowledgeBase, field: str) -> bool:
    return field in kb.fields


def _unknown_field(kb: KnowledgeBase, region: Region, field: str) -> str:
    """A field the tables do not know: the centers of the place, and how to say it better."""
    serving = kb.centers_serving(region)
    lines = [say("knowledge.eligibility.unknown_field", field=field)]
    if serving:
        lines += [say("knowledge.eligibility.unknown_field_centers", place=region.name)]
        lines += center_lines(serving)
        lines.append(say("knowledge.eligibility.unknown_field_hint"))
        lines.append(kb.centers_footnote(serving))
        return "\n".join(lines)
    return "\n".join([*lines, not_listed(kb, region)])


def _eligible(
    kb: KnowledgeBase,
    region: Region,
    field: str,
    patent_type: str | None,
    matching: list[CenterView],
) -> str:
    """Yes: the matching centers with their fields, what is still needed, how fast."""
    lines = [say("knowledge.eligibility.eligible", place=region.name, field=field)]
    for center in matching:
        lines.append(center.line())
        wording = center.table_field_for(field)
        if wording:
            lines.append(say("knowledge.center.wording", table_field=wording))
    if any(c.dated for c in matching):
        lines.append(say("knowledge.center.dated_advice"))
    lines.append(say("knowledge.eligibility.requirements"))
    lines.append(_timing_line(kb, patent_type))
    lines.append(kb.centers_footnote(matching, "preexam_timing"))
    return "\n".join(lines)


def _not_in_scope(kb: KnowledgeBase, region: Region, field: str) -> str:
    """No: what the local centers do cover, related fields, centers elsewhere (which take
    only their own area), and the ordinary procedure."""
    serving = kb.centers_serving(region)
    if not serving:
        return not_listed(kb, region, say("knowledge.eligibility.ordinary"))
    lines = [say("knowledge.eligibility.not_in_scope", place=region.name, field=field)]
    lines += center_lines(serving)
    related = [f for f in kb.related_fields(field) if any(f in c.canonical_fields for c in serving)]
    if related:
        lines.append(say("knowledge.eligibility.related", fields="、".join(related)))
    elsewhere = [c for c in kb.centers_with_field(field) if c not in serving]
    if elsewhere:
        lines.append(say("knowledge.eligibility.elsewhere", field=field))
        lines += [c.line() for c in elsewhere[:5]]
        lines.append(say("knowledge.places.elsewhere_note"))
    lines.append(say("knowledge.eligibility.ordinary"))
    lines.append(kb.centers_footnote(serving + elsewhere[:5]))
    return "\n".join(lines)


def answer_eligibility(
    kb: KnowledgeBase, region: Region | None, field: str | None, patent_type: str | None
) -> str:
    """The eligibility answer for a region and a (canonical or unrecognised) field."""
    if region is None or not field:
        return kb.render_answer("eligibility_conditions")
    if not _known_field(kb, field):
        known = kb.find_field(field)
        if known is None:
            return _unknown_field(kb, region, field)
        field = known
    matching = matching_centers(kb, region, field)
    if matching:
        return _eligible(kb, region, field, patent_type, matching)
    return _not_in_scope(kb, region, field)


def own_center_answer(kb: KnowledgeBase) -> str:
    """ "你们中心 / 本中心的预审领域": this deployment's center (IPPC_CENTER), or, for a
    national guide, that it has no center of its own."""
    own = kb.own_center()
    if own is None:
        return say("knowledge.own_center.national_guide")
    return center_scope(kb, own)


def refers_to_own_center(kb: KnowledgeBase, text: str | None) -> bool:
    """Whether the message means this deployment's center (你们中心, 本中心, 贵中心 …)."""
    return bool(text) and any(word in text for word in words("knowledge.own_center"))
