"""The replies of the case lookup, filled from the case. Their wording lives in
``knowledge_base/data/texts/cases.yml``; the neutral sentence is the same whether or not a case
exists."""

from __future__ import annotations

from cases.explanations import explain
from cases.masking import mask_applicant
from cases.records import CaseRecord
from knowledge_base.texts import say


def human_button() -> dict[str, str]:
    """The button that hands the conversation to staff."""
    return {"title": say("cases.human_button"), "payload": "/human_handoff"}


def found(record: CaseRecord) -> str:
    """Status, last change, meaning and next step, with the applicant masked."""
    explanation = explain(record.case_type, record.status)
    return say(
        "cases.found",
        case_number=record.case_number,
        case_type=record.case_type,
        applicant=mask_applicant(record.applicant),
        status=record.status,
        updated_at=f"{record.updated_at:%Y-%m-%d}",
        meaning=explanation.meaning,
        next_step=explanation.next_step,
    )
