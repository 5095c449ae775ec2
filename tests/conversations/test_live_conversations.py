"""Multi-turn conversations (conversations.yml) against the real assistant: openers, bare
answers, leaving a form, questions inside a form, no third ask, corrections, negation in
both orders, a person asked for inside a form, and greetings with a question (issue 10)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import LiveAssistant, log_errors

pytestmark = pytest.mark.model

SUITE = yaml.safe_load((Path(__file__).with_name("conversations.yml")).read_text("utf-8"))
DEFAULT_AVOID: str = SUITE["defaults"]["avoid"]
CONVERSATIONS: list[dict[str, Any]] = SUITE["conversations"]


def test_the_suite_covers_every_behaviour_on_every_form() -> None:
    names = [c["name"] for c in CONVERSATIONS]
    assert len(names) == len(set(names)) and len(names) >= 80
    covered = {(c["behaviour"], c["form"]) for c in CONVERSATIONS}
    for behaviour in ("stop", "stop_with_question", "question_resumes", "no_third_ask",
                      "correction", "handoff_in_form", "bare_answer"):  # fmt: skip
        for form in ("eligibility", "dispute", "case"):
            assert (behaviour, form) in covered, (behaviour, form)


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=lambda c: c["name"])
def test_conversation(live_assistant: LiveAssistant, conversation: dict[str, Any]) -> None:
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    log: list[str] = []
    for turn in conversation["turns"]:
        reply = live_assistant.texts(sender, turn["user"])
        log.append(f"U: {turn['user']}\nB: {reply}")
        want, avoid = turn.get("want"), turn.get("avoid", DEFAULT_AVOID)
        assert not want or re.search(want, reply), f"wanted /{want}/\n" + "\n".join(log)
        assert not avoid or not re.search(avoid, reply), f"avoid /{avoid}/\n" + "\n".join(log)


def test_no_exception_in_the_log(live_assistant: LiveAssistant) -> None:
    """Runs after the conversations above: nothing may have crashed on the way."""
    log = live_assistant.log_path.read_text(errors="replace")
    assert log_errors(log) == []
