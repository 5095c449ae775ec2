"""The tracker a Rasa server saved is handed back for the conversation's next message only
while the table holds exactly what it holds (runtime.tracker_cache); otherwise the store reads
the table as before. On SQLite and on the real PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.tracker_cache import TrackerCache
from runtime.tracker_store import CONVERSATION_ROWS_INDEX, PingingSQLTrackerStore
from tests.runtime.test_long_conversations import (
    DOMAIN,
    Clock,
    faq_turn,
    form_start,
    make_store,
    rows,
    say,
    session_start,
    user,
)

CAP = 60


@pytest.fixture
def servers(database_url: str) -> Iterator[tuple[PingingSQLTrackerStore, PingingSQLTrackerStore]]:
    """Two Rasa servers' stores with their caches, on one database."""
    first, second = make_store(database_url, CAP, 100), make_store(database_url, CAP, 100)
    yield first, second
    first.engine.dispose()
    second.engine.dispose()


def started(store: PingingSQLTrackerStore, sender: str, clock: Clock) -> DialogueStateTracker:
    return say(store, sender, session_start(clock) + form_start(clock))


def test_the_next_message_gets_the_saved_tracker(servers) -> None:
    first, _ = servers
    clock = Clock()
    saved = started(first, "rest:c1", clock)
    assert asyncio.run(first.retrieve("rest:c1")) is saved


def test_saving_the_kept_tracker_stores_exactly_its_new_events(servers, database_url) -> None:
    first, _ = servers
    clock = Clock()
    said = session_start(clock) + form_start(clock)
    say(first, "rest:c2", said)
    for n in range(5):
        turn = faq_turn(n, clock)
        say(first, "rest:c2", turn)
        said += turn
    assert [data for _, _, data in rows(first, "rest:c2")] == [e.as_dict() for e in said]
    table = make_store(database_url, CAP)  # reads the table
    assert asyncio.run(table.retrieve("rest:c2")).current_slot_values() == (
        asyncio.run(first.retrieve("rest:c2")).current_slot_values()
    )
    table.engine.dispose()


def test_a_row_written_by_another_server_is_read(servers) -> None:
    first, second = servers
    clock = Clock()
    kept = started(first, "rest:c3", clock)
    say(second, "rest:c3", faq_turn(1, clock))  # the next message went to the other server
    loaded = asyncio.run(first.retrieve("rest:c3"))
    assert loaded is not kept
    assert loaded.latest_message.text == "问题1"
    assert loaded.get_slot("last_topic") == "topic1"


def test_a_tracker_changed_but_not_saved_is_read_again(servers) -> None:
    first, _ = servers
    clock = Clock()
    kept = started(first, "rest:c4", clock)
    kept.update(user("半途失败的消息", "ask_faq", clock), DOMAIN)  # the message failed: no save
    loaded = asyncio.run(first.retrieve("rest:c4"))
    assert loaded is not kept
    assert loaded.latest_message.text == "深圳"


def test_a_tracker_holding_the_proof_is_not_kept(servers) -> None:
    """What is stored is scrubbed (handoff.masking): the next message must see what is stored,
    not the digits still in memory."""
    first, _ = servers
    clock = Clock()
    said = session_start(clock) + [
        ActionExecuted("case_lookup_form", timestamp=clock()),
        SlotSet("requested_slot", "phone_last4", timestamp=clock()),
        BotUttered("请输入手机号后四位", timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
        user("1234", "inform", clock),
        SlotSet("phone_last4", "1234", timestamp=clock()),
    ]
    kept = say(first, "rest:c5", said)
    loaded = asyncio.run(first.retrieve("rest:c5"))
    assert loaded is not kept
    assert loaded.get_slot("phone_last4") != "1234"
    assert "1234" not in (loaded.latest_message.text or "")


def test_a_second_session_in_memory_is_not_kept(servers) -> None:
    """The table gives the latest session only; a tracker holding two is read anew."""
    first, _ = servers
    clock = Clock()
    started(first, "rest:c6", clock)
    kept = say(first, "rest:c6", session_start(clock) + faq_turn(1, clock))
    loaded = asyncio.run(first.retrieve("rest:c6"))
    assert loaded is not kept
    assert sum(1 for e in loaded.events if e.type_name == "session_started") == 1


def test_a_tracker_past_the_window_size_is_read_as_a_window(servers) -> None:
    first, _ = servers
    clock = Clock()
    tracker = started(first, "rest:c7", clock)
    while len(tracker.events) <= first.cache_events:
        tracker = say(first, "rest:c7", faq_turn(len(tracker.events), clock))
    loaded = asyncio.run(first.retrieve("rest:c7"))
    assert loaded is not tracker
    assert len(loaded.events) < first.cache_events


def test_the_least_recently_used_conversation_goes_first() -> None:
    cache = TrackerCache(2)
    trackers = [DialogueStateTracker(f"rest:{n}", DOMAIN.slots) for n in range(3)]
    cache.put(trackers[0], 1)
    cache.put(trackers[1], 2)
    assert cache.get("rest:0") is not None  # used: rest:1 is now the oldest
    cache.put(trackers[2], 3)
    assert cache.get("rest:1") is None
    assert [cache.get(f"rest:{n}") is not None for n in (0, 2)] == [True, True]
    off = TrackerCache(0)
    off.put(trackers[0], 1)
    assert off.get("rest:0") is None


def test_the_conversation_rows_are_indexed_by_sender_and_id(servers) -> None:
    """The latest-row check before each kept tracker reads the index, not every row."""
    first, _ = servers
    indexes = {
        index["name"]: index["column_names"]
        for index in sa.inspect(first.engine).get_indexes("events")
    }
    assert indexes[CONVERSATION_ROWS_INDEX] == ["sender_id", "id"]


def test_a_database_server_is_waited_for_in_a_worker_thread(servers, database_url) -> None:
    """PostgreSQL's round trips leave the event loop free; SQLite is called in-process."""
    first, _ = servers
    on_server = not database_url.startswith("sqlite")
    assert first.in_process is not on_server

    async def thread_of_a_database_call() -> int:
        return await first._database(lambda _session: threading.get_ident())

    loop_thread = threading.get_ident()
    assert (asyncio.run(thread_of_a_database_call()) != loop_thread) is on_server
