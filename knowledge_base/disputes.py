"""The guided dispute flow's logic: reading answers from free text and choosing routes."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.dialogue import affirmed
from knowledge_base.schema import DisputeRoute
from knowledge_base.texts import say
from knowledge_base.words import words


def is_vague(option: str | None) -> bool:
    """An option that says nothing about the case ("其他")."""
    return option in words("knowledge.dispute_vague_options")


def option_mentions(kb: KnowledgeBase, slot: str, text: str | None) -> list[tuple[str, int, int]]:
    """Every place where ``text`` names an option of question ``slot`` (its name or one of
    its keywords), as (option, start, end); overlapping shorter words are dropped."""
    if not text:
        return []
    found: list[tuple[str, int, int]] = []
    for option, keywords in kb.disputes.questions[slot].options.items():
        for word in (option, *keywords):
            start = text.find(word)
            while start >= 0:
                found.append((option, start, start + len(word)))
                start = text.find(word, start + 1)
    found.sort(key=lambda m: (m[1], -(m[2] - m[1])))
    kept: list[tuple[str, int, int]] = []
    for mention in found:
        if not any(s <= mention[1] < e for _, s, e in kept):
            kept.append(mention)
    return kept


def match_option(kb: KnowledgeBase, slot: str, text: str | None) -> str | None:
    """The option of question ``slot`` that ``text`` names, or None.

    A negated option does not count, whatever the word order ("不是专利，是商标", "是商标，
    不是专利" and "商标被人用了，不是专利" all mean 商标); of the rest, the one named first wins
    (then the longest word), not the option listed first in the file."""
    options = affirmed(text, option_mentions(kb, slot, text))
    return options[0] if options else None


def routes_overview(kb: KnowledgeBase) -> str:
    """Said before the first question, so even a one-turn reader learns the routes."""
    names = say("knowledge.disputes.names_separator").join(r.name for r in kb.disputes.routes)
    return say("knowledge.disputes.overview", names=names)


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
    answers = [v for v in (right_type, place, goal) if v and not is_vague(v)]
    situation = say("knowledge.disputes.situation_separator").join(answers) or say(
        "knowledge.disputes.no_situation"
    )
    lines = [say("knowledge.disputes.recommendation", situation=situation)]
    lines += [
        say("knowledge.disputes.route", number=i, name=route.name, why=route.why)
        for i, route in enumerate(routes, start=1)
    ]
    tip = kb.disputes.evidence_tips.get(place or "")
    if tip:
        lines.append(say("knowledge.disputes.evidence_tip", tip=tip))
    fact = kb.disputes.source_fact
    lines.append(kb.facts[fact].text)
    lines.append(kb.source_line("guidance", (fact,)))
    return "\n".join(lines)
