"""The Rasa server freezes what the model load left, so full collections stop walking it."""

from __future__ import annotations

import gc

from runtime.gc_tuning import freeze_after_model_load, freeze_loaded_objects
from runtime.rest_channel import ResilientRestInput


def test_objects_alive_at_the_freeze_leave_the_collected_generations() -> None:
    gc.unfreeze()
    try:
        model = [{"term": [index]} for index in range(20_000)]  # 40,000 tracked objects
        walked_before = len(gc.get_objects())
        frozen = freeze_loaded_objects()
        assert frozen >= len(model) * 2
        assert len(gc.get_objects()) < walked_before - len(model) * 2
        later = [{"message": [index]} for index in range(100)]
        # what comes later is collected as usual (frozen objects may still be freed)
        assert gc.get_freeze_count() <= frozen
        assert any(item is later[0] for item in gc.get_objects())
    finally:
        gc.unfreeze()


def test_every_rasa_server_freezes_after_its_model_is_loaded() -> None:
    blueprint = ResilientRestInput().blueprint(lambda message: None)
    listeners = [
        listener
        for listener in blueprint._future_listeners
        if listener.event == "after_server_start"
    ]
    assert freeze_after_model_load in [listener.listener for listener in listeners]
