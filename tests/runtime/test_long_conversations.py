"""A long session is loaded as a window (runtime.tracker_store): the same slots and form as
the whole session, saving stores exactly the new events, and the conversation goes on past
the cap; on SQLite and on the real PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from handoff.history import window_of, with_earlier_messages
from runtime.tracker_store import PingingSQLTrackerStore

CAP = 60

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_faq, inform, want_pre_examination]
slots:
  city: {type: text, mappings: [{type: from_text}]}
  field: {type: text, mappings: [{type: from_text}]}
  patent_type: {type: text, mappings: [{type: from_text}]}
  last_topic: {type: text, mappings: [{type: custom}]}
forms:
  eligibility_form: {required_slots: [city, field, patent_type]}
responses:
  utter_faq: [{text: "答复"}]
"""
)


def make_store(url: str, cap: int, cache_size: int = 0) -> PingingSQLTrackerStore:
    """A store on ``url``; without a tracker cache unless ``cache_size`` (runtime.tracker_cache),
    so that every ``retrieve`` reads the table."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return PingingSQLTrackerStore(
            DOMAIN, dialect="sqlite", db=parsed.database, event_cap=cap, cache_size=cache_size
        )
    return PingingSQLTrackerStore(
        DOMAIN,
        dialect="postgresql",
        host=parsed.host,
        port=parsed.port,
        db=parsed.database,
        username=parsed.username,
        query=dict(parsed.query),
        event_cap=cap,
        cache_size=cache_size,
    )


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[PingingSQLTrackerStore, PingingSQLTrackerStore]]:
    """(windowing store with a cap of CAP, store that loads whole sessions) on one database."""
    windowing, whole = make_store(database_url, CAP), make_store(database_url, 0)
    yield windowing, whole
    windowing.engine.dispose()
    whole.engine.dispose()


def rows(store: PingingSQLTrackerStore, sender: str) -> list[tuple[int, str, dict]]:
    with store.engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT id, type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        )
        return [(row[0], row[1], json.loads(row[2])) for row in found]


class Clock:
    def __init__(self) -> None:
        self.now = time.time() - 600

    def __call__(self) -> float:
        self.now += 0.01
        return self.now


def user(text: str, intent: str, clock: Clock) -> UserUttered:
    return UserUttered(
        text, {"name": intent, "confidence": 0.9}, [], timestamp=clock(), input_channel="rest"
    )


def faq_turn(n: int, clock: Clock) -> list[Event]:
    return [
        user(f"问题{n}", "ask_faq", clock),
        SlotSet("last_topic", f"topic{n}", timestamp=clock()),
        ActionExecuted("utter_faq", timestamp=clock()),
        BotUttered(f"答复{n}", timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def session_start(clock: Clock) -> list[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=clock()),
        SessionStarted(timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def form_start(clock: Clock) -> list[Event]:
    """The eligibility form asked its first question and got the city, then the field is
    asked for."""
    return [
        user("我们想申请预审", "want_pre_examination", clock),
        ActionExecuted("eligibility_form", timestamp=clock()),
        ActiveLoop("eligibility_form", timestamp=clock()),
        SlotSet("requested_slot", "city", timestamp=clock()),
        BotUttered("哪个省市？", timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
        user("深圳", "inform", clock),
        SlotSet("city", "深圳", timestamp=clock()),
        ActionExecuted("eligibility_form", timestamp=clock()),
        SlotSet("requested_slot", "field", timestamp=clock()),
        BotUttered("什么技术领域？", timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def faq_inside_form(n: int, clock: Clock) -> list[Event]:
    """A question while the form waits: the form is interrupted and asks again."""
    return [
        user(f"问题{n}", "ask_faq", clock),
        LoopInterrupted(True, timestamp=clock()),
        ActionExecuted("utter_faq", timestamp=clock()),
        BotUttered(f"答复{n}", timestamp=clock()),
        ActionExecuted("eligibility_form", timestamp=clock()),
        LoopInterrupted(False, timestamp=clock()),
        BotUttered("什么技术领域？", timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def say(store: PingingSQLTrackerStore, sender: str, events: list[Event]) -> DialogueStateTracker:
    """One message as Rasa handles it: load the tracker, add the turn's events, save."""
    tracker = asyncio.run(store.retrieve(sender))
    if tracker is None:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in events:
        tracker.update(event, DOMAIN)
    asyncio.run(store.save(tracker))
    return tracker


def long_session(store: PingingSQLTrackerStore, sender: str, turns: int) -> list[Event]:
    """A session in which the form starts, then ``turns`` questions are asked inside it,
    each message loaded and saved through ``store``; returns every event said."""
    clock = Clock()
    said = session_start(clock) + form_start(clock)
    say(store, sender, said)
    for n in range(turns):
        turn = faq_inside_form(n, clock)
        say(store, sender, turn)
        said += turn
    return said


def state(tracker: DialogueStateTracker) -> tuple[dict, str | None, bool]:
    return (
        tracker.current_slot_values(),
        tracker.active_loop_name,
        tracker.is_active_loop_interrupted,
    )


def test_a_window_has_the_slots_and_form_of_the_whole_session(stores) -> None:
    windowing, whole = stores
    long_session(whole, "rest:u1", turns=40)  # stored the way Rasa stores it
    window = asyncio.run(windowing.retrieve("rest:u1"))
    full = asyncio.run(whole.retrieve("rest:u1"))
    assert window_of(e.as_dict() for e in window.events) is not None
    assert len(window.events) <= CAP + 10 < len(full.events)
    assert state(window) == state(full)
    assert window.active_loop_name == "eligibility_form"
    assert window.get_slot("city") == "深圳"
    assert window.get_slot("requested_slot") == "field"
    assert window.get_slot("last_topic") is None  # never set in this session
    # It starts at a user turn: the first event after the state is action_listen, then user.
    loaded = [e.as_dict() for e in window.events]
    first_user = next(i for i, e in enumerate(loaded) if e["event"] == "user")
    assert loaded[first_user - 1] == {**loaded[first_user - 1], "name": "action_listen"}
    assert window.latest_message.text == full.latest_message.text


def test_a_short_session_is_loaded_whole(stores) -> None:
    windowing, whole = stores
    long_session(whole, "rest:u2", turns=3)
    tracker = asyncio.run(windowing.retrieve("rest:u2"))
    assert window_of(e.as_dict() for e in tracker.events) is None
    assert len(tracker.events) == len(asyncio.run(whole.retrieve("rest:u2")).events)


def test_saving_a_window_stores_exactly_the_new_events(stores) -> None:
    windowing, whole = stores
    long_session(whole, "rest:u3", turns=30)
    before = rows(windowing, "rest:u3")
    clock = Clock()
    clock.now = time.time()
    tracker = asyncio.run(windowing.retrieve("rest:u3"))
    first = faq_inside_form(100, clock)
    for event in first:
        tracker.update(event, DOMAIN)
    asyncio.run(windowing.save(tracker))
    asyncio.run(windowing.save(tracker))  # nothing new: nothing stored
    second = [user("发明", "inform", clock), SlotSet("patent_type", "发明", timestamp=clock())]
    for event in second:
        tracker.update(event, DOMAIN)
    asyncio.run(windowing.save(tracker))  # the same tracker again: only `second`
    after = rows(windowing, "rest:u3")
    assert after[: len(before)] == before
    added = [data for _, _, data in after[len(before) :]]
    assert added == [event.as_dict() for event in first + second]


def test_the_conversation_goes_on_past_the_cap(stores) -> None:
    windowing, whole = stores
    said = long_session(windowing, "rest:u4", turns=40)  # every message loaded as a window
    stored = [data for _, _, data in rows(windowing, "rest:u4")]
    assert stored == [event.as_dict() for event in said]  # nothing lost, nothing twice
    window = asyncio.run(windowing.retrieve("rest:u4"))
    assert window_of(e.as_dict() for e in window.events) is not None
    assert window.active_loop_name == "eligibility_form"  # started about 300 events ago
    assert state(window) == state(asyncio.run(whole.retrieve("rest:u4")))
    clock = Clock()
    clock.now = time.time()
    finish = [
        user("新能源", "inform", clock),
        SlotSet("field", "新能源", timestamp=clock()),
        ActionExecuted("eligibility_form", timestamp=clock()),
        SlotSet("requested_slot", None, timestamp=clock()),
        ActiveLoop(None, timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]
    say(windowing, "rest:u4", finish)
    done = asyncio.run(windowing.retrieve("rest:u4"))
    assert done.active_loop_name is None
    assert (done.get_slot("city"), done.get_slot("field")) == ("深圳", "新能源")
    assert state(done) == state(asyncio.run(whole.retrieve("rest:u4")))


def test_a_restart_before_the_window_leaves_no_slot_or_form(stores) -> None:
    windowing, whole = stores
    clock = Clock()
    events = session_start(clock) + form_start(clock)
    events += [Restarted(timestamp=clock()), ActionExecuted("action_listen", timestamp=clock())]
    for n in range(20):
        events += faq_turn(n, clock)
    say(whole, "rest:u5", events)
    window = asyncio.run(windowing.retrieve("rest:u5"))
    assert window_of(e.as_dict() for e in window.events) is not None
    assert window.active_loop_name is None
    assert window.get_slot("city") is None
    assert window.get_slot("last_topic") == "topic19"
    assert state(window) == state(asyncio.run(whole.retrieve("rest:u5")))


def test_a_handoff_transcript_of_a_window_has_the_whole_session(stores, database_url) -> None:
    windowing, whole = stores
    long_session(whole, "rest:u6", turns=40)
    window = asyncio.run(windowing.retrieve("rest:u6"))
    events = [event.as_dict() for event in window.events]
    texts = [e["text"] for e in events if e["event"] == "user"]
    assert "我们想申请预审" not in texts  # before the window
    complete = with_earlier_messages("rest:u6", events, database_url)
    full_texts = [e["text"] for e in complete if e["event"] == "user"]
    assert full_texts == ["我们想申请预审", "深圳"] + [f"问题{n}" for n in range(40)]


def test_the_cap_is_a_setting_rasa_hands_to_the_store(tmp_path, monkeypatch) -> None:
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from core.settings import DEFAULT_TRACKER_EVENT_CAP, get_settings, tracker_event_cap
    from runtime.config_files import write_endpoints

    monkeypatch.delenv("IPPC_TRACKER_EVENT_CAP", raising=False)
    assert tracker_event_cap() == DEFAULT_TRACKER_EVENT_CAP == 60
    for wrong in ("-1", "10", "many"):
        monkeypatch.setenv("IPPC_TRACKER_EVENT_CAP", wrong)
        with pytest.raises(ValueError, match="IPPC_TRACKER_EVENT_CAP"):
            tracker_event_cap()
    monkeypatch.setenv("IPPC_TRACKER_EVENT_CAP", "500")
    monkeypatch.setenv("IPPC_DATABASE_URL", f"sqlite:///{tmp_path / 'cap.db'}")
    monkeypatch.setenv("IPPC_ACTION_TOKEN", "token-read-from-the-environment")
    path = write_endpoints(get_settings(), tmp_path, {})
    monkeypatch.setenv("IPPC_TRACKER_EVENT_CAP", "0")  # the file's value is the one used
    store = TrackerStore.create(read_endpoint_config(str(path), "tracker_store"), DOMAIN)
    assert isinstance(store, PingingSQLTrackerStore)
    assert store.event_cap == 500
    store.engine.dispose()
