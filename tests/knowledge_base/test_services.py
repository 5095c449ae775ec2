"""Contacts and training follow the deployment: a national guide without IPPC_CENTER (and
with sample center_info.yml), the center's card with it."""

from __future__ import annotations

from knowledge_base.base import KnowledgeBase
from knowledge_base.services import contact_text, training_text


def test_contacts_and_training_follow_the_deployment(monkeypatch) -> None:
    monkeypatch.delenv("IPPC_CENTER", raising=False)
    kb = KnowledgeBase.load()
    national = contact_text(kb, [])
    assert "全国性" in national and "电话" in national and "示例" not in national
    assert "宁德知识产权保护中心" in contact_text(kb, ["中国（宁德）知识产权保护中心"])
    assert "（示例）专利快速预审实务培训" not in training_text(kb)
    monkeypatch.setenv("IPPC_CENTER", "宁德中心")
    card = contact_text(kb, [])
    assert card.startswith("宁德知识产权保护中心\n地址：") and "示例数据" in card
    assert "（示例）专利快速预审实务培训" in training_text(kb)
