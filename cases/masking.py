"""Masking what the bot shows about an applicant: enough to recognise one's own case,
not enough to learn someone else's name or number."""

from __future__ import annotations

# Longest first: the organisation form and a trade word stay visible, the name part does not.
_ORG_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "合伙企业",
    "研究院",
    "研究所",
    "事务所",
    "工作室",
    "集团",
    "公司",
    "大学",
    "学院",
    "医院",
    "中心",
    "厂",
)
_TRADE_WORDS = (
    "信息技术",
    "生物医药",
    "新材料",
    "新能源",
    "科技",
    "技术",
    "电子",
    "网络",
    "智能",
    "医药",
    "生物",
    "制造",
    "机械",
    "软件",
    "贸易",
    "实业",
    "文化",
    "传媒",
    "电器",
    "化工",
)
MASK = "**"


def mask_applicant(name: str) -> str:
    """测试科技有限公司 → 测**科技有限公司; 张三丰 → 张**. The mask never tells the length."""
    name = name.strip()
    if not name:
        return ""
    suffix = next((s for s in _ORG_SUFFIXES if name.endswith(s) and len(name) > len(s)), "")
    body = name[: len(name) - len(suffix)]
    trade = next((w for w in _TRADE_WORDS if body.endswith(w) and len(body) > len(w)), "")
    core = body[: len(body) - len(trade)]
    return f"{core[0]}{MASK}{trade}{suffix}"


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
