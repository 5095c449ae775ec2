"""Parse WeChat's flat XML safely (no DTD, no entities) and build passive replies."""

from __future__ import annotations

import time
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class WeChatXmlError(ValueError):
    """The body is not the flat ``<xml>`` document WeChat sends."""


def parse(body: bytes | str) -> dict[str, str]:
    """``<xml><A>x</A>...</xml>`` → ``{"A": "x"}``; DTDs and entities are refused."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise WeChatXmlError(f"malformed XML: {error}") from error
    if root.tag != "xml":
        raise WeChatXmlError("root element must be <xml>")
    return {child.tag: (child.text or "").strip() for child in root if len(child) == 0}


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build(fields: dict[str, str | int]) -> str:
    """A flat ``<xml>`` document; strings as CDATA, integers as plain numbers."""
    inner = "".join(
        f"<{key}>{value if isinstance(value, int) else _cdata(str(value))}</{key}>"
        for key, value in fields.items()
    )
    return f"<xml>{inner}</xml>"


def text_reply(to_user: str, from_user: str, text: str, now: int | None = None) -> str:
    """A passive text reply to a user's message."""
    return build(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": int(now if now is not None else time.time()),
            "MsgType": "text",
            "Content": text,
        }
    )
