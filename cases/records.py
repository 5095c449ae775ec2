"""What a backend answers about one case: the same shape from SQL and from HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseRecord:
    case_number: str
    case_type: str  # 预审, 备案 or 维权
    applicant: str
    phone_last4: str  # only the digits verification needs ever leave the backend
    status: str
    updated_at: datetime
    note: str = ""
