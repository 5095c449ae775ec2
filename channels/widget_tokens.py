"""The widget's conversation ids are issued by the server, each with a resume token: an HMAC
over the id and the day it was issued, keyed by ``IPPC_WIDGET_SECRET``. A browser resumes its
conversation only with the token; an id alone (as staff see it in a ticket) opens nothing, and
ids a client invents are never taken."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

# A conversation can be resumed this long after it was started (the widget keeps its history
# in the browser no longer either).
RESUME_SECONDS = 30 * 24 * 3600


def _mac(secret: str, conversation: str, issued: int) -> str:
    digest = hmac.new(
        secret.encode("utf-8"), f"webchat:{conversation}:{issued}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue(secret: str, now: float | None = None) -> tuple[str, str]:
    """A new conversation id and its resume token."""
    if not secret:
        raise ValueError("IPPC_WIDGET_SECRET is not set")
    conversation = uuid.uuid4().hex
    issued = int(now if now is not None else time.time())
    return conversation, f"{conversation}.{issued}.{_mac(secret, conversation, issued)}"


def resume(secret: str, token: object, now: float | None = None) -> str | None:
    """The conversation id a valid, unexpired token stands for, else None."""
    if not secret or not isinstance(token, str) or len(token) > 200:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    conversation, issued_text, given = parts
    issued = int(issued_text)
    now = now if now is not None else time.time()
    if not 0 <= now - issued <= RESUME_SECONDS:
        return None
    expected = _mac(secret, conversation, issued)
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape")):
        return None
    return conversation
