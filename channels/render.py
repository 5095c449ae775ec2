"""Turn Rasa bot messages into plain text for channels without rich widgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from knowledge_base.texts import say


def message_text(message: dict[str, Any]) -> str:
    """A bot message's text with its image/attachment links (buttons are rendered apart)."""
    parts = [str(message.get("text") or "").strip()]
    parts += [v for k in ("image", "attachment") if isinstance(v := message.get(k), str)]
    return "\n".join(part for part in parts if part)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def utf8_len(text: str) -> int:
    """Length as WeChat counts it (UTF-8 bytes)."""
    return len(text.encode("utf-8"))


def _longest_fitting(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The largest ``end`` with ``measure(text[:end]) <= limit`` (at least 1)."""
    low, high = 1, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` units, preferring line breaks."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text
    while measure(rest) > limit:
        end = _longest_fitting(rest, limit, measure)
        cut = rest.rfind("\n", 0, end)
        if cut <= end // 2:
            cut = end
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def render_reply(messages: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Several bot messages as one text with buttons numbered across all of them.

    Returns the text and the payloads that "1", "2", ... stand for.
    """
    parts: list[str] = []
    payloads: list[str] = []
    for message in messages:
        buttons = list(message.get("buttons") or message.get("quick_replies") or [])
        body = message_text(message)
        lines = [body] if body else []
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "").strip()
            if button.get("url"):
                lines.append(f"· {title}：{button['url']}")
                continue
            payloads.append(str(button.get("payload") or title))
            lines.append(f"{len(payloads)}. {title}")
        if lines:
            parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    if payloads:
        text += "\n" + say("knowledge.render.choose_by_number")
    return text, payloads
