"""Rasa's REST channel, with these changes. The sender id is qualified (``rest:<sender>``) so
that a REST caller can never speak in another channel's conversation, and the replies name the
sender as the caller gave it. With ``IPPC_REST_TOKEN`` set, a request needs
``Authorization: Bearer <token>`` (compared in constant time). Messages are capped at 2,000
characters (the rest is cut off) and bodies at 1 MB (every route of the server). A body that is not ``{"sender": str, "message": str}``
gets 400 with the reason (Rasa's own answers 500 to an empty body and logs an error for a
missing message). And when handling a message fails (tracker store or lock store down, an
unexpected error), the user is told so at once instead of getting an empty list.

Rasa's own ``RestInput`` logs the exception and answers whatever was collected, possibly
nothing, and possibly answers that were never saved in the tracker. Here those are dropped
and replaced by one clear message asking the user to send it again, so what the user sees
answered is exactly what the tracker holds.
"""

from __future__ import annotations

import hmac
import logging
import os
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.delivery import conversation_id
from channels.guards import MAX_REQUEST_BYTES, error, limit_request_size
from channels.proxies import client_address, remote_client
from core.limits import MAX_MESSAGE_CHARS
from knowledge_base.texts import say
from runtime import message_admission, rasa_speedups
from runtime.gc_tuning import freeze_after_model_load
from runtime.kept_connections import close_kept_sessions

logger = logging.getLogger(__name__)
if os.environ.get("IPPC_RASA_SPEEDUPS", "1") != "0":  # "0": Rasa as shipped, for comparison
    rasa_speedups.install()  # this module is loaded by every Rasa server we start
message_admission.install()  # first come, first served (IPPC_MESSAGES_IN_FLIGHT)

# Rasa's SQL tracker store keeps sender ids in a VARCHAR(255); "rest:" comes in front.
MAX_SENDER_LENGTH = 200


class ResilientRestInput(RestInput):
    """``/webhooks/rest/webhook`` as in Rasa, with a clear reply when processing fails."""

    def __init__(self, token: str = "") -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ResilientRestInput:
        """The token from ``IPPC_REST_TOKEN`` (settings come from the environment only);
        empty: REST is open (``ippc run`` allows that on loopback only, runtime.security)."""
        return cls(os.environ.get("IPPC_REST_TOKEN", "").strip())

    def authorised(self, request: Request) -> bool:
        """True without a token, else only for ``Authorization: Bearer <token>``."""
        if not self.token:
            return True
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode("utf-8", "surrogateescape"), self.token.encode("utf-8")
        )

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
        return conversation_id(self.name(), sender)

    def _extract_message(self, request: Request) -> str:
        message = self._body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        # Cut, as WeChat and Telegram do: the caller still gets an answer (the contract), and
        # no more than this is stored, sent to the action server or copied into transcripts.
        return message[:MAX_MESSAGE_CHARS]

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The caller's ``metadata`` is not taken: it would land in the tracker unchecked.
        Only the client address is kept, for the per-client case-lookup budget."""
        client = remote_client(client_address(request.ip, request.headers.get("x-forwarded-for")))
        return {"client": client} if client else {}

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()  # not the caller's to choose

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except Exception:  # any failure: the user must hear about it
                logger.warning("message from %s not processed", message.sender_id, exc_info=True)
                output = message.output_channel
                if isinstance(output, CollectingOutputChannel):
                    output.messages.clear()
                    await output.send_text_message(message.sender_id, say("runtime.not_processed"))

        blueprint = Blueprint("custom_webhook_ResilientRestInput", __name__)
        blueprint.listener("before_server_start")(_limit_bodies)
        blueprint.listener("after_server_start")(_tracker_store_failures_raise)
        blueprint.listener("after_server_start")(freeze_after_model_load)
        blueprint.listener("after_server_stop")(close_kept_sessions)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            return await self._receive(request, guarded)

        return blueprint

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Any:
        if not self.authorised(request):
            return error(401, "Authorization: Bearer <IPPC_REST_TOKEN> required")
        if len(request.body or b"") > MAX_REQUEST_BYTES:
            return error(413, f"body larger than {MAX_REQUEST_BYTES} bytes")
        sender_id = await self._extract_sender(request)
        text = self._extract_message(request)
        metadata = self.get_metadata(request)
        if bool_arg(request, "stream", default=False):
            return response.stream(
                self.stream_response(on_new_message, text, sender_id, self.name(), metadata),
                content_type="text/event-stream",
            )
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    text, collector, sender_id, input_channel=self.name(), metadata=metadata
                )
            )
        except CancelledError:
            logger.warning("message from %s timed out", sender_id)
        return response.json(_as_the_caller_named_it(collector.messages, sender_id))


def _as_the_caller_named_it(messages: list[dict[str, Any]], sender_id: str) -> list[dict]:
    """Replies with ``recipient_id`` as the caller sent it (without ``rest:``)."""
    caller = sender_id.removeprefix("rest:")
    return [
        {**m, "recipient_id": caller} if m.get("recipient_id") == sender_id else m for m in messages
    ]


async def _limit_bodies(app: Any, _loop: Any) -> None:
    limit_request_size(app)


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
