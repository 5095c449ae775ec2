"""FAQ answers: the question is answered first (yes/no first), every fact shows its own
source once in one footnote line, guidance and sample text are marked as such."""

from __future__ import annotations

import re

import pytest

from knowledge_base.base import KnowledgeBase
from knowledge_base.rasa_export import generated_rules, knowledge_responses

# Facts that code (not answers.yml) states: places.py, disputes.yml, actions/services.py,
# eligibility.py. ai_service is a recommendation to centers, not something users ask.
STATED_BY_CODE = {"national_figures", "diversified_resolution", "public_services", "preexam_timing"}
NOT_FOR_USERS = {"ai_service"}


def _footnote(text: str) -> str:
    return text.splitlines()[-1]


def test_every_generated_answer_has_one_footnote_last(kb: KnowledgeBase) -> None:
    responses = knowledge_responses(kb)
    for key, answer in kb.answers.items():
        text = responses[f"utter_{key}"][0]["text"]
        assert "{fact:" not in text, key
        footnote = _footnote(text)
        assert sum("来源：" in line for line in text.splitlines()) <= 1, key
        if answer.fact_ids:
            assert footnote.startswith("来源："), key
            for fact_id in answer.fact_ids:
                assert kb.facts[fact_id].origin.title in footnote, (key, fact_id)
        if answer.kind == "sample" or answer.sample:
            assert "示例内容" in footnote, key
        if answer.kind == "guidance":
            assert "不构成法律意见" in footnote, key


def test_no_source_title_twice_in_a_footnote(kb: KnowledgeBase) -> None:
    for key in kb.answers:
        footnote = _footnote(kb.render_answer(key))
        titles = re.findall(r"《[^》]+》", footnote)
        assert len(titles) == len(set(titles)), (key, footnote)


def test_footnote_covers_only_the_sourced_sentences(kb: KnowledgeBase) -> None:
    text = kb.render_answer("ip_finance/transfer")
    fact, guidance, footnote = text.splitlines()
    assert fact == kb.facts["transfer_finance"].text + "[1]"
    assert guidance.startswith("一般指引：") and "[1]" not in guidance
    assert footnote == "来源：[1]《浅析知识产权快速协同保护体系》"
    assessment = kb.render_answer("dispute_evidence/assessment")
    assert "一般指引：申请侵权判定咨询" in assessment


@pytest.mark.parametrize(
    ("key", "first_words"),
    [
        ("fasttrack_process/amend_after_pass", "不能"),
        ("fasttrack_process/filing_after_pass", "不算"),
        ("eligibility_faq/same_day_dual", "不能"),
        ("eligibility_faq/pct", "不能"),
        ("eligibility_faq/individuals", "一般不能"),
        ("fasttrack_fee", "一般免费"),
        ("fasttrack_overview/vs_priority", "不是一回事"),
        ("fasttrack_registration/online", "是的"),
        ("ip_finance/pledge", "可以"),
    ],
)
def test_yes_no_questions_are_answered_first(kb: KnowledgeBase, key: str, first_words: str) -> None:
    assert kb.render_answer(key).startswith(first_words)


@pytest.mark.parametrize(
    "key", ["fasttrack_process/after_pass", "fasttrack_process/steps", "fasttrack_overview/benefit"]
)
def test_no_definition_before_the_answer(kb: KnowledgeBase, key: str) -> None:
    assert kb.facts["preexam_definition"].text not in kb.render_answer(key)


def test_local_rules_are_one_centers_example(kb: KnowledgeBase) -> None:
    for key in ("fasttrack_fee", "eligibility_faq/agency", "fasttrack_registration/online"):
        text = kb.render_answer(key)
        assert "例如" in text and "以您所在中心的规定为准" in text, key


def test_how_long_the_preexamination_itself_takes(kb: KnowledgeBase) -> None:
    text = kb.render_answer("fasttrack_process/preexam_duration")
    assert "7个工作日" in text and "3.4个工作日" in text and "22个月" not in text


def test_national_figures(kb: KnowledgeBase) -> None:
    text = kb.render_answer("fasttrack_overview/national_figures")
    assert "77家" in text and "48家" in text and "34.5万" in text and "示例" not in text
    assert "（2025-02）" in _footnote(text)


def test_adjacent_questions_point_to_where_they_are_handled(kb: KnowledgeBase) -> None:
    for key in [k for k in kb.answers if k.startswith("ip_adjacent/")]:
        text = kb.render_answer(key)
        assert "12330" in text and "12345" in text, key
    assert "专利业务办理系统" in kb.render_answer("ip_adjacent/fee_reduction")


def test_every_fact_is_reachable(kb: KnowledgeBase) -> None:
    used = {f for a in (*kb.answers.values(), *kb.snippets.values()) for f in a.fact_ids}
    assert set(kb.facts) - used - STATED_BY_CODE - NOT_FOR_USERS == set()


def test_generated_rules_cover_the_new_retrieval_intents(kb: KnowledgeBase) -> None:
    rules = {r["steps"][0]["intent"]: r["steps"][1]["action"] for r in generated_rules(kb)}
    assert rules == {"eligibility_faq": "utter_eligibility_faq", "ip_adjacent": "utter_ip_adjacent"}
