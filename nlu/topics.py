"""Maps the bot's intents to the public topics of the taxonomy (nlu/taxonomy.yml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
TAXONOMY_FILE = HERE / "taxonomy.yml"
INTENT_TOPICS_FILE = HERE / "intent_topics.yml"
# Topics whose messages carry no meaningful domain entities ("去北京的机票" names no region
# of an applicant); classify reports no entities for them.
TOPICS_WITHOUT_ENTITIES = frozenset({"greet", "goodbye", "thanks", "bot_identity", "out_of_scope"})
FALLBACK_INTENT = "nlu_fallback"
HANDOFF_INTENT = "human_handoff"
HANDOFF_TOPIC = "handoff_topic"  # parse-data field: the topic of the rest of a handoff request


@lru_cache(maxsize=1)
def taxonomy() -> dict:
    return yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))


def topics() -> list[str]:
    return list(taxonomy()["topics"])


def entity_names() -> list[str]:
    return list(taxonomy()["entities"])


@lru_cache(maxsize=1)
def _extra_intents() -> dict[str, str]:
    data = yaml.safe_load(INTENT_TOPICS_FILE.read_text(encoding="utf-8")) or {}
    return dict(data.get("intents") or {})


def topic_of(intent: str) -> str | None:
    """The topic of ``intent`` ("fasttrack_process/after_pass" → "fasttrack_process"); None for
    a name that is neither a topic nor listed in nlu/intent_topics.yml."""
    base = intent.split("/", 1)[0]
    if base in taxonomy()["topics"]:
        return base
    return _extra_intents().get(base)


def understanding(parse_data: dict[str, Any] | None) -> tuple[str | None, str | None, float | None]:
    """(intent, topic, confidence) of a user message's parse data.

    For the fallback intent the topic is the best real intent's, so the dashboard still shows
    what the user was probably asking about. For a request for a person that said more
    ("转人工，问一下海外维权"), the topic is that of the rest (``handoff_topic``), which the
    handoff ticket takes.
    """
    parse_data = parse_data or {}
    intent = parse_data.get("intent") or {}
    name = intent.get("name")
    confidence = intent.get("confidence")
    rest = parse_data.get(HANDOFF_TOPIC)
    if name == HANDOFF_INTENT and isinstance(rest, dict) and topic_of(str(rest.get("intent"))):
        return name, topic_of(str(rest["intent"])), float(rest.get("confidence") or 0.0)
    topic_intent = name
    if name == FALLBACK_INTENT:
        ranking = [i for i in parse_data.get("intent_ranking") or [] if i.get("name") != name]
        if ranking:
            topic_intent = ranking[0].get("name")
            confidence = ranking[0].get("confidence", confidence)
        else:
            topic_intent = None
    topic = topic_of(topic_intent) if topic_intent else None
    return name, topic, (float(confidence) if confidence is not None else None)


# A topic's label for staff comes from its taxonomy description: the part before a
# full-width colon, without parenthesised asides, and at most its first two "、" items
# ("预审流程、时限、预审合格后怎么办…" → "预审流程、时限").
_ASIDE = re.compile(r"（[^）]*）")
_LABEL_ITEMS = 2


@lru_cache(maxsize=1)
def topic_labels() -> dict[str, str]:
    """Every topic code → its short Chinese label for staff, in taxonomy order."""
    labels = {}
    for code, description in taxonomy()["topics"].items():
        text = _ASIDE.sub("", str(description)).split("：", 1)[0].strip()
        labels[code] = "、".join(text.split("、")[:_LABEL_ITEMS])
    return labels


def topic_label(code: str | None) -> str:
    """The Chinese label of a topic code (or of an intent, through its topic); an unknown
    code is returned as it is, so nothing staff see is ever blank by accident."""
    if not code:
        return ""
    labels = topic_labels()
    if code in labels:
        return labels[code]
    topic = topic_of(code)
    return labels.get(topic, code) if topic else code
