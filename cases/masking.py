"""Masking what the bot shows about an applicant: enough to recognise one's own case,
not enough to learn someone else's name or number. The legal forms and trade words that stay
visible are in knowledge_base/data/words/cases.yml."""

from __future__ import annotations

from knowledge_base.words import words

MASK = "**"


def _ending(text: str, key: str) -> str:
    """The longest word of list ``key`` that ``text`` ends with (and is more than), or ""."""
    endings = [w for w in words(key) if text.endswith(w) and len(text) > len(w)]
    return max(endings, key=len, default="")


def mask_applicant(name: str) -> str:
    """测试科技有限公司 → 测**科技有限公司; 张三丰 → 张**. The mask never tells the length."""
    name = name.strip()
    if not name:
        return ""
    suffix = _ending(name, "cases.org_suffixes")
    body = name[: len(name) - len(suffix)]
    trade = _ending(body, "cases.trade_words")
    core = body[: len(body) - len(trade)]
    return f"{core[0]}{MASK}{trade}{suffix}"


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
