"""Maps the bot's intents to the public topics of the taxonomy (nlu/taxonomy.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TAXONOMY_FILE = HERE / "taxonomy.yml"
INTENT_TOPICS_FILE = HERE / "intent_topics.yml"
# Topics whose messages carry no meaningful domain entities ("去北京的机票" names no region
# of an applicant); classify reports no entities for them.
TOPICS_WITHOUT_ENTITIES = frozenset({"greet", "goodbye", "thanks", "bot_identity", "out_of_scope"})
FALLBACK_INTENT = "nlu_fallback"


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
    """The topic of ``intent`` ("fasttrack_process/after_pass" → "fasttrack_process")."""
    base = intent.split("/", 1)[0]
    if base in taxonomy()["topics"]:
        return base
    return _extra_intents().get(base)
