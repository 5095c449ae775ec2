"""The taxonomy topic of an intent: its name before "/", or its line in nlu/intent_topics.yml."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from core.paths import PROJECT_ROOT

INTENT_TOPICS_FILE = PROJECT_ROOT / "nlu" / "intent_topics.yml"
FALLBACK_INTENT = "nlu_fallback"


@lru_cache(maxsize=1)
def _intent_topics() -> dict[str, str]:
    try:
        data = yaml.safe_load(INTENT_TOPICS_FILE.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    return dict(data.get("intents") or {})


def topic_of(intent: str | None) -> str | None:
    if not intent:
        return None
    base = intent.split("/", 1)[0]
    return _intent_topics().get(intent) or _intent_topics().get(base) or base


def understanding(parse_data: dict[str, Any] | None) -> tuple[str | None, str | None, float | None]:
    """(intent, topic, confidence) of a user message's parse data.

    For the fallback intent the topic is the best real intent's, so the dashboard still shows
    what the user was probably asking about.
    """
    parse_data = parse_data or {}
    intent = parse_data.get("intent") or {}
    name = intent.get("name")
    confidence = intent.get("confidence")
    topic_intent = name
    if name == FALLBACK_INTENT:
        ranking = [i for i in parse_data.get("intent_ranking") or [] if i.get("name") != name]
        if ranking:
            topic_intent = ranking[0].get("name")
            confidence = ranking[0].get("confidence", confidence)
        else:
            topic_intent = None
    return name, topic_of(topic_intent), (float(confidence) if confidence is not None else None)
