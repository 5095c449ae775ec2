"""Reading and validating a case CSV: every bad row is found before anything is written."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cases.explanations import case_types
from core.patterns import CASE_NUMBER_PATTERN, MOBILE_NUMBER, nfkc, normalise_case_number

HEADER = ("case_number", "case_type", "applicant", "phone", "status", "updated_at", "note")
_BOM = b"\xef\xbb\xbf"
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y.%m.%d",
)
MAX_STATUS = 64
MAX_APPLICANT = 200


class CsvFileError(Exception):
    """The file as a whole cannot be read (encoding, header, empty)."""


@dataclass(frozen=True)
class CaseRow:
    line: int
    case_number: str
    case_type: str
    applicant: str
    phone: str
    status: str
    updated_at: datetime
    note: str


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is fine); anything else is refused with a reason that names it."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it looks like GBK/GB18030)"
        except UnicodeDecodeError:
            pass
        raise CsvFileError(
            f"not UTF-8 text{hint}: bad byte at line {line}; save the file as UTF-8"
        ) from None


def parse_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits (``+86``/``86`` prefix and separators allowed)."""
    digits = _PHONE_SEPARATORS.sub("", nfkc(raw))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE_NUMBER.fullmatch(digits) else None


def parse_datetime(raw: str, timezone_name: str) -> datetime | None:
    """Center-local naive time; ISO 8601 with an offset is converted to the center's zone."""
    text = nfkc(raw).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(timezone_name)).replace(tzinfo=None)
    return value


def _validate(line: int, fields: list[str], timezone_name: str) -> CaseRow | list[RowError]:
    if len(fields) != len(HEADER):
        return [RowError(line, f"expected {len(HEADER)} columns, found {len(fields)}")]
    raw_number, case_type, applicant, phone, status, updated_at, note = (f.strip() for f in fields)
    errors: list[str] = []
    number = normalise_case_number(raw_number)
    if not number:
        errors.append("case_number is empty")
    elif not CASE_NUMBER_PATTERN.fullmatch(nfkc(raw_number).strip()):
        errors.append(f"case_number {raw_number!r} is not a case number like YS2025000123")
    case_type = nfkc(case_type)
    if case_type not in case_types():
        errors.append(f"case_type {case_type!r} is not one of {', '.join(case_types())}")
    if not applicant:
        errors.append("applicant is empty")
    elif len(applicant) > MAX_APPLICANT:
        errors.append(f"applicant is longer than {MAX_APPLICANT} characters")
    parsed_phone = parse_phone(phone)
    if parsed_phone is None:
        errors.append(f"phone {phone!r} is not an 11-digit mainland mobile number")
    if not status:
        errors.append("status is empty")
    elif len(status) > MAX_STATUS:
        errors.append(f"status is longer than {MAX_STATUS} characters")
    parsed_date = parse_datetime(updated_at, timezone_name)
    if parsed_date is None:
        errors.append(
            f"updated_at {updated_at!r} is not a date like 2025-03-14 or 2025-03-14 09:30"
        )
    if errors:
        return [RowError(line, reason) for reason in errors]
    return CaseRow(line, number, case_type, applicant, parsed_phone, status, parsed_date, note)


def read_case_csv(
    path: Path, timezone_name: str = "Asia/Shanghai"
) -> tuple[list[CaseRow], list[RowError]]:
    """All rows of ``path`` and every error found in them (line numbers as an editor shows)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CsvFileError(f"cannot read {path}: {error.strerror or error}") from None
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise CsvFileError(f"line 1: {error}") from None
    if header is None:
        raise CsvFileError("the file is empty; expected the header " + ",".join(HEADER))
    if tuple(h.strip() for h in header) != HEADER:
        raise CsvFileError(f"line 1: the header must be exactly {','.join(HEADER)}")
    rows: list[CaseRow] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    next_line = reader.line_num + 1
    while True:
        line = next_line
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(line, f"unreadable CSV: {error}"))
            break
        next_line = reader.line_num + 1
        if not any(f.strip() for f in fields):
            continue  # blank line
        number = normalise_case_number(fields[0])
        if number and number in first_line:
            errors.append(
                RowError(line, f"case_number {number} already appears on line {first_line[number]}")
            )
        elif number:
            first_line[number] = line
        result = _validate(line, fields, timezone_name)
        if isinstance(result, list):
            errors.extend(result)
        elif not errors or errors[-1].line != line:
            rows.append(result)
    return rows, errors
