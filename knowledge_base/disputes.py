"""The guided dispute flow's logic: reading answers from free text and choosing routes."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.schema import DisputeRoute

OTHER = "其他"


def match_option(kb: KnowledgeBase, slot: str, text: str | None) -> str | None:
    """The option of question ``slot`` that ``text`` names (its name or a keyword), or None.

    The keyword that appears earliest in the text wins (then the longest), not the option
    listed first in the file. Negations ("不是专利") are not understood."""
    if not text:
        return None
    options = kb.disputes.questions[slot].options
    best: tuple[int, int, str] | None = None
    for option, keywords in options.items():
        for word in (option, *keywords):
            position = text.find(word)
            if position >= 0:
                candidate = (position, -len(word), option)
                best = candidate if best is None or candidate < best else best
    return best[2] if best else None


def routes_overview(kb: KnowledgeBase) -> str:
    """Said before the first question, so even a one-turn reader learns the routes."""
    names = "、".join(route.name for route in kb.disputes.routes)
    return f"遇到侵权纠纷，可以走的途径有：{names}。中心可以一站式协调。我先问几个问题，帮您推荐合适的途径。"


def question(kb: KnowledgeBase, slot: str) -> tuple[str, list[dict[str, str]]]:
    """The question for ``slot`` and its options as buttons (payload = the option's name)."""
    asked = kb.disputes.questions[slot]
    return asked.ask, [{"title": option, "payload": option} for option in asked.options]


def recommend_routes(
    kb: KnowledgeBase, right_type: str | None, place: str | None, goal: str | None
) -> list[DisputeRoute]:
    """Routes whose conditions all hold for the user's answers, in the file's order."""
    answers = {"right_type": right_type, "place": place, "goal": goal}
    return [
        route
        for route in kb.disputes.routes
        if all(answers.get(slot) in values for slot, values in route.when.items())
    ]


def describe_recommendation(
    kb: KnowledgeBase, right_type: str | None, place: str | None, goal: str | None
) -> str:
    """The answer text: the user's situation, each route with its why, and evidence tips."""
    routes = recommend_routes(kb, right_type, place, goal)
    situation = "｜".join(v for v in (right_type, place, goal) if v and v != OTHER) or "一般情况"
    lines = [f"根据您的情况（{situation}），可以考虑这些途径："]
    lines += [f"{i}. {route.name}：{route.why}" for i, route in enumerate(routes, start=1)]
    tip = kb.disputes.evidence_tips.get(place or "")
    if tip:
        lines.append(f"取证提示：{tip}")
    fact = kb.disputes.source_fact
    lines.append(kb.facts[fact].text)
    lines.append(kb.source_line("guidance", (fact,)))
    return "\n".join(lines)
