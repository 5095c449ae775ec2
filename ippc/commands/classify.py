"""``ippc classify``: one JSON line of topic, intent, confidence and entities per input line.

The model is loaded once; messages are parsed by the same NLU pipeline the bot uses."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import warnings
from typing import Any, BinaryIO, TextIO

from core.errors import CliError
from core.model_files import latest_model
from nlu.topics import FALLBACK_INTENT, TOPICS_WITHOUT_ENTITIES, entity_names, topic_of

NO_TOPIC = "out_of_scope"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "classify", help="classify UTF-8 lines from stdin into JSON lines (topic, entities)"
    )
    parser.add_argument("--model", help="model file (default: the latest in models/)")
    parser.set_defaults(func=run)


def _best_intent(parse: dict[str, Any]) -> tuple[str, float]:
    """The most likely real intent: the fallback is a dialogue decision, not a topic."""
    ranking = [i for i in parse.get("intent_ranking") or [] if i.get("name") != FALLBACK_INTENT]
    if not ranking:
        intent = parse.get("intent") or {}
        return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
    return str(ranking[0]["name"]), float(ranking[0]["confidence"])


def _retrieval_key(parse: dict[str, Any], intent: str) -> str:
    """ "topic/sub-intent" when the response selector chose a sub-intent of ``intent``."""
    for selector in (parse.get("response_selector") or {}).values():
        if not isinstance(selector, dict):
            continue
        key = (selector.get("response") or {}).get("intent_response_key") or ""
        if key.split("/", 1)[0] == intent:
            return key
    return intent


def to_record(text: str, parse: dict[str, Any]) -> dict[str, Any]:
    """The contract's JSON object for one message's parse result."""
    intent, confidence = _best_intent(parse)
    topic = topic_of(intent) or NO_TOPIC
    allowed = set(entity_names())
    entities = []
    if topic not in TOPICS_WITHOUT_ENTITIES:
        seen = set()
        for entity in parse.get("entities") or []:
            pair = (entity.get("entity"), str(entity.get("value")))
            if pair[0] in allowed and pair not in seen:
                seen.add(pair)
                entities.append({"entity": pair[0], "value": pair[1]})
    return {
        "text": text,
        "topic": topic,
        "intent": _retrieval_key(parse, intent),
        "confidence": round(confidence, 4),
        "entities": entities,
    }


def _quiet_logs() -> None:
    """Only JSON on stdout and only real errors on stderr: Rasa's start-up warnings (about
    its own configuration) would bury the one-line reason of a failure."""
    warnings.simplefilter("ignore")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    for name in ("rasa", "tensorflow", "jieba", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)


async def classify_stream(model_path: str, source: BinaryIO, sink: TextIO) -> None:
    from rasa.core.agent import Agent  # heavy import: only once we know there is work
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    agent = Agent.load(model_path)
    for number, raw in enumerate(source, start=1):
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise CliError(f"line {number} of the input is not valid UTF-8") from None
        text = text.lstrip("\ufeff") if number == 1 else text
        parse = await agent.parse_message(text) if text.strip() else {}
        sink.write(json.dumps(to_record(text, parse), ensure_ascii=False) + "\n")
        sink.flush()


def run(args: argparse.Namespace) -> int:
    model = args.model or latest_model()
    if model is None or not os.path.exists(model):
        raise CliError("no trained model found: run `ippc train` first")
    _quiet_logs()
    sink, sys.stdout = sys.stdout, sys.stderr  # stray prints of libraries must not mix in
    try:
        asyncio.run(classify_stream(str(model), sys.stdin.buffer, sink))
    finally:
        sys.stdout = sink
    return 0
