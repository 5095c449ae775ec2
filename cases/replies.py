"""The sentences the lookup conversation says. Kept here, not in the domain, because they are
built from the case; the neutral sentence is the same whether or not a case exists."""

from __future__ import annotations

from cases.explanations import explain
from cases.masking import mask_applicant
from cases.records import CaseRecord

HUMAN_BUTTON = {"title": "转人工客服", "payload": "/human_handoff"}

NOT_VERIFIED = (
    "抱歉，未能核实您提供的案件编号和手机号后四位。请核对后重新查询；如有疑问，可转人工客服。"
)
LOCKED = (
    "验证失败次数过多，为保护申请人信息，案件查询已暂停一小时。"
    "如需立即了解办理进度，可以转人工客服，由工作人员核实身份后为您查询。"
)
BUSY = "系统繁忙，暂时无法查询案件进度，请稍后再试。也可以转人工客服为您查询。"
BAD_CASE_NUMBER = "抱歉，没有识别到案件编号。"
BAD_PHONE_LAST4 = "抱歉，没有识别到四位数字。"


def found(record: CaseRecord) -> str:
    """Status, last change, meaning and next step, with the applicant masked."""
    explanation = explain(record.case_type, record.status)
    lines = [
        f"已为您查到案件 {record.case_number}（{record.case_type}）：",
        f"申请人：{mask_applicant(record.applicant)}",
        f"当前状态：{record.status}",
        f"最近更新：{record.updated_at:%Y-%m-%d}",
        f"状态说明：{explanation.meaning}",
        f"下一步：{explanation.next_step}",
    ]
    return "\n".join(lines)
