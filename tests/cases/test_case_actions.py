"""The form's validation and the lookup action, run as the action server runs them."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.case_status import ActionCaseStatusLookup, ValidateCaseStatusForm
from core.paths import DOMAIN_DIR
from core.patterns import find_case_numbers
from ippc.cli import main
from knowledge_base.texts import say

DOMAIN = yaml.safe_load((DOMAIN_DIR / "cases.yml").read_text(encoding="utf-8"))


def _tracker(
    text: str,
    requested: str | None,
    slots: dict[str, Any] | None = None,
    intent: str = "case_status",
    candidates: dict[str, Any] | None = None,
    sender: str = "conv-1",
) -> Tracker:
    """What Rasa sends: the user's message (with the entities the NLU found) and, after the
    form action, the slot candidates that the domain's mappings extracted from it."""
    entities = [
        {"entity": "case_number", "value": match.value, "start": match.start, "end": match.end}
        for match in find_case_numbers(text)
    ]
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities}
    events = [
        {"event": "user", "text": text, "parse_data": message, "input_channel": "rest"},
        {"event": "action", "name": "case_status_form"},
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    all_slots = {"requested_slot": requested, "case_number": None, "phone_last4": None}
    all_slots.update(slots or {})
    all_slots.update(candidates or {})
    return Tracker(
        sender, all_slots, message, events, False, None, {"name": "case_status_form"}, None
    )


async def _validate(tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateCaseStatusForm().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return slots, [m.get("text") for m in dispatcher.messages]


async def test_both_values_in_the_first_message() -> None:
    text = "查一下 ys 2025 000123，手机尾号５６７８"
    tracker = _tracker(text, None, candidates={"case_number": "YS2025000123"})
    slots, messages = await _validate(tracker)
    assert slots == {"case_number": "YS2025000123", "phone_last4": "5678"}
    assert messages == []


async def test_the_values_in_separate_messages() -> None:
    first = _tracker(
        "ＹＳ２０２５０００１２３", "case_number", candidates={"case_number": "YS2025000123"}
    )
    slots, _ = await _validate(first)
    assert slots == {"case_number": "YS2025000123"}
    second = _tracker(
        "1 2 3 4",
        "phone_last4",
        {"case_number": "YS2025000123"},
        candidates={"phone_last4": "1 2 3 4"},
    )
    slots, messages = await _validate(second)
    assert slots == {"phone_last4": "1234"} and messages == []


async def test_a_reply_without_digits_is_asked_again_with_the_reason() -> None:
    tracker = _tracker(
        "我忘了",
        "phone_last4",
        {"case_number": "YS2025000123"},
        candidates={"phone_last4": "我忘了"},
    )
    slots, messages = await _validate(tracker)
    assert slots == {"phone_last4": None} and messages == [say("cases.bad_phone_last4")]


async def test_a_reply_without_a_case_number_is_asked_again_with_the_reason() -> None:
    slots, messages = await _validate(_tracker("不记得编号了", "case_number"))
    assert slots == {"case_number": None} and messages == [say("cases.bad_case_number")]


async def test_asking_for_a_human_leaves_the_form_to_the_rest_of_the_assistant() -> None:
    slots, messages = await _validate(_tracker("转人工", "case_number", intent="human_handoff"))
    assert slots == {} and messages == []


async def _lookup(sender: str, number: str, last4: str) -> tuple[list[dict], list[dict]]:
    tracker = _tracker("", None, {"case_number": number, "phone_last4": last4}, sender=sender)
    dispatcher = CollectingDispatcher()
    events = await ActionCaseStatusLookup().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


async def test_the_lookup_answers_and_forgets_the_digits(db_url, write_csv, sample_rows) -> None:
    assert main(["cases", "import", str(write_csv(sample_rows))]) == 0
    messages, events = await _lookup("conv-ok", "YS2025000123", "5678")
    assert "预审中" in messages[0]["text"] and "测**科技有限公司" in messages[0]["text"]
    assert {(e["name"], e["value"]) for e in events} == {
        ("case_number", None),
        ("phone_last4", None),
    }
    wrong, _ = await _lookup("conv-wrong", "YS2025000123", "0000")
    unknown, _ = await _lookup("conv-unknown", "YS2025999999", "5678")
    assert wrong == unknown and len(wrong) == 1
    assert wrong[0]["text"] == say("cases.not_verified")


async def test_the_fifth_failure_offers_a_human(db_url, write_csv, sample_rows) -> None:
    assert main(["cases", "import", str(write_csv(sample_rows))]) == 0
    for attempt in range(4):
        messages, _ = await _lookup("conv-lock", f"YS202500000{attempt}", "0000")
        assert messages[0]["text"] == say("cases.not_verified")
    messages, _ = await _lookup("conv-lock", "YS2025000009", "0000")
    assert messages[0]["text"] == say("cases.locked")
    assert messages[0]["buttons"] == [{"title": "转人工客服", "payload": "/human_handoff"}]


async def test_a_dead_backend_is_busy_with_a_human_offer(
    db_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPPC_CASES_BACKEND", "http")
    monkeypatch.setenv("IPPC_CASES_HTTP_URL", "http://127.0.0.1:9")
    messages, _ = await _lookup("conv-busy", "YS2025000123", "5678")
    assert messages[0]["text"].startswith("系统繁忙")
    assert messages[0]["buttons"][0]["payload"] == "/human_handoff"
