"""Rasa's REST channel, with two changes. A body that is not ``{"sender": str, "message": str}``
gets 400 with the reason (Rasa's own answers 500 to an empty body and logs an error for a
missing message). And when handling a message fails (tracker store or lock store down, an
unexpected error), the user is told so at once instead of getting an empty list.

Rasa's own ``RestInput`` logs the exception and answers whatever was collected, possibly
nothing, and possibly answers that were never saved in the tracker. Here those are dropped
and replaced by one clear message asking the user to send it again, so what the user sees
answered is exactly what the tracker holds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import FailSafeTrackerStore
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from knowledge_base.texts import say
from runtime import rasa_speedups

logger = logging.getLogger(__name__)
if os.environ.get("IPPC_RASA_SPEEDUPS", "1") != "0":  # "0": Rasa as shipped, for comparison
    rasa_speedups.install()  # this module is loaded by every Rasa server we start

MAX_SENDER_LENGTH = 255  # Rasa's SQL tracker store keeps sender ids in a VARCHAR(255)


class ResilientRestInput(RestInput):
    """``/webhooks/rest/webhook`` as in Rasa, with a clear reply when processing fails."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.json  # Sanic answers 400 itself when this is not JSON
        if not isinstance(body, dict):
            raise InvalidUsage('the body must be a JSON object: {"sender": ..., "message": ...}')
        return body

    async def _extract_sender(self, request: Request) -> str:
        sender = self._body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string')
        if len(sender) > MAX_SENDER_LENGTH:
            raise InvalidUsage(f'"sender" must be at most {MAX_SENDER_LENGTH} characters')
        return sender

    def _extract_message(self, request: Request) -> str:
        message = self._body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        return message

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()  # not the caller's to choose

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
        async def guarded(message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except Exception:  # any failure: the user must hear about it
                logger.warning("message from %s not processed", message.sender_id, exc_info=True)
                output = message.output_channel
                if isinstance(output, CollectingOutputChannel):
                    output.messages.clear()
                    await output.send_text_message(message.sender_id, say("runtime.not_processed"))

        blueprint = super().blueprint(guarded)
        blueprint.listener("after_server_start")(_tracker_store_failures_raise)
        return blueprint


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store failed: the message must not be handled on an empty tracker."""


def _refuse(error: Exception) -> None:
    raise TrackerStoreUnavailable(str(error)) from error


async def _tracker_store_failures_raise(app: Any, _loop: Any) -> None:
    """Rasa wraps every tracker store in ``FailSafeTrackerStore``, which on a database error
    hands out a new, empty tracker and keeps what is said in this process's memory only: the
    bot answers out of context and the conversation is lost from PostgreSQL. Its documented
    ``on_tracker_store_error`` callback is used here to turn that into an error instead, which
    :class:`ResilientRestInput` reports to the user."""
    store = app.ctx.agent.tracker_store  # loaded by Rasa's before_server_start listener
    if isinstance(store, FailSafeTrackerStore):
        store._on_tracker_store_error = _refuse  # noqa: SLF001 - its constructor argument
