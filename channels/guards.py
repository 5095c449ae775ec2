"""Checks shared by the webhooks: body size and content type, answered with a clear 4xx."""

from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse


def error(status: int, reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


def body_problem(
    request: Request, max_bytes: int, allowed_types: tuple[str, ...]
) -> HTTPResponse | None:
    """413 for an oversized body, 415 for a content type not in ``allowed_types``.

    A request without a Content-Type is accepted (simple clients omit it).
    """
    declared = request.headers.get("content-length")
    if (declared and declared.isdigit() and int(declared) > max_bytes) or len(
        request.body or b""
    ) > max_bytes:
        return error(413, f"body larger than {max_bytes} bytes")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in allowed_types:
        return error(415, f"content type {content_type} not accepted")
    return None


# Largest request body any route of the Rasa server accepts (Sanic's own default is 100 MB).
MAX_REQUEST_BYTES = 1024 * 1024
# Largest WebSocket frame (the widget's frames are a few kilobytes).
MAX_FRAME_BYTES = 64 * 1024


def limit_request_size(app: Sanic) -> None:
    """Cap every request body of ``app`` (a listener runs this before the server starts; Sanic
    reads the value for each new connection). Never raises a cap someone set lower."""
    app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), MAX_REQUEST_BYTES)
    app.config.WEBSOCKET_MAX_SIZE = min(int(app.config.WEBSOCKET_MAX_SIZE), MAX_FRAME_BYTES)
