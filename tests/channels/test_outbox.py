"""The outbox keeps messages for absent users; each message is claimed exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from channels import outbox
from channels.push import pending_messages, validate


def test_messages_are_kept_in_order_and_claimed_once(outbox_db: str) -> None:
    outbox.store(
        "rest:conv-1",
        "rest",
        [{"text": "第一条"}, {"text": "第二条", "buttons": [{"title": "好", "payload": "/ok"}]}],
    )
    outbox.store("web:conv-2", "webchat", [{"text": "别人的"}])
    assert outbox.pending_count("rest:conv-1") == 2
    assert pending_messages("rest:conv-1") == [
        {"text": "第一条"},
        {"text": "第二条", "buttons": [{"title": "好", "payload": "/ok"}]},
    ]
    assert pending_messages("rest:conv-1") == []
    assert outbox.pending_count("web:conv-2") == 1


def test_concurrent_claims_never_deliver_a_message_twice(outbox_db: str) -> None:
    outbox.store("rest:conv-3", "rest", [{"text": f"消息{i}"} for i in range(40)])
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda _: outbox.claim("rest:conv-3"), range(8)))
    texts = [m["text"] for batch in batches for m in batch]
    assert sorted(texts) == sorted(f"消息{i}" for i in range(40))


@pytest.mark.parametrize(
    ("conversation_id", "messages", "reason"),
    [
        ("", [{"text": "x"}], "conversation_id must be a non-empty string"),
        ("c", [], "messages must be a non-empty list"),
        ("c", "text", "messages must be a non-empty list"),
        ("c", [{"text": 5}], "text must be a string"),
        ("c", [{"buttons": "no"}], "buttons must be a list of dicts"),
        ("c", [{}], "a message needs text or buttons"),
        ("c", ["plain string"], "each message must be a dict"),
    ],
)
def test_malformed_push_requests_are_refused(
    conversation_id: str, messages: object, reason: str
) -> None:
    with pytest.raises(ValueError, match=f"^{reason}$"):
        validate(conversation_id, messages)  # type: ignore[arg-type]
