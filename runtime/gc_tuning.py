"""The Rasa server's garbage collector, told that the loaded model is there to stay.

A loaded model is about half a million Python objects (the knowledge base, the classifiers'
vocabularies, Rasa's domain and rules). CPython's collector walks every one of them in each
full collection: 230 ms on the 2-core machine, during which no message is answered, and
under load one comes every few seconds (the p99 at a person's pace showed those stalls,
docs/benchmarks.md). ``gc.freeze()`` once the model is loaded moves what exists then into a
generation the collector no longer walks; those objects are still freed by reference counting
when they go, only a reference cycle among them would stay (a model is loaded once and lives
as long as the process).
"""

from __future__ import annotations

import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)


def freeze_loaded_objects() -> int:
    """Collect once, then freeze what survives; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


async def freeze_after_model_load(_app: Any, _loop: Any) -> None:
    """A Sanic ``after_server_start`` listener: Rasa loads the model before the server starts."""
    frozen = freeze_loaded_objects()
    logger.info("garbage collector: %d objects of the loaded model frozen", frozen)
