"""Training sessions and the center's contacts and hours, from center_info.yml (sample data
until the center fills it in, and said so in every answer). One deployment is one center
(``IPPC_CENTER``); without it, and with center_info.yml still sample data, the assistant is
a national guide and says so instead of showing a made-up contact card."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.texts import say


def _national_guide(kb: KnowledgeBase) -> bool:
    """No center of its own: no IPPC_CENTER and only the sample center_info.yml."""
    return kb.own_center() is None and kb.center_info.sample


def _center_name(kb: KnowledgeBase) -> str:
    own = kb.own_center()
    return own.short_name if own else kb.center_info.center


def training_text(kb: KnowledgeBase) -> str:
    """The deployment's sessions (or, as a national guide, what centers offer)."""
    info = kb.center_info
    lines: list[str] = []
    if _national_guide(kb):
        lines.append(say("knowledge.own_center.national_guide"))
    else:
        lines.append(say("knowledge.services.training_title", center=_center_name(kb)))
        lines += [
            say(
                "knowledge.services.training_item",
                date=s.date,
                title=s.title,
                form=s.form,
                signup=s.signup,
            )
            for s in info.training_sessions
        ]
    lines.append(kb.facts["public_services"].text)
    if info.sample and not _national_guide(kb):
        lines.append(say("knowledge.services.sample_note"))
    lines.append(kb.source_line("policy", ("public_services",)))
    return "\n".join(lines)


def contact_text(kb: KnowledgeBase, asked: list[str]) -> str:
    """Contacts and hours of this deployment's center; a national guide says it has none."""
    info = kb.center_info
    if _national_guide(kb):
        lines = [say("knowledge.services.national_contacts")]
        for name in asked[:1]:
            center = kb.center(name)
            if center:
                lines.append(center.line())
        return "\n".join(lines)
    own = _center_name(kb)
    lines = []
    others = [
        a for a in asked if kb.normalise_center(a) not in (kb.normalise_center(own), info.center)
    ]
    if others:
        lines.append(say("knowledge.services.other_center", own=own, asked=others[0]))
    separator = say("knowledge.services.hours_separator")
    lines += [
        own,
        say("knowledge.services.address", value=info.address),
        say("knowledge.services.phone", value=info.phone),
        say("knowledge.services.hours", periods=separator.join(info.working_periods)),
    ]
    if info.email:
        lines.append(say("knowledge.services.email", value=info.email))
    if info.website:
        lines.append(say("knowledge.services.website", value=info.website))
    if info.windows:
        windows = say("knowledge.services.windows_separator").join(info.windows)
        lines.append(say("knowledge.services.windows", value=windows))
    if info.sample:
        lines.append(say("knowledge.services.sample_note"))
    return "\n".join(lines)
