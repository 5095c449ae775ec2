"""Verified lookups: the right pair shows the case, a wrong pair says nothing about it, five
failures lock a conversation or a case number, and every lookup is audited without the digits.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select, update

from cases import audit
from cases.models import CaseLookupAudit, CaseLookupBudget
from cases.service import BUSY, FOUND, LOCKED, NOT_VERIFIED, CaseLookup
from core.db import get_engine
from ippc.cli import main


def _service(db_url, write_csv, sample_rows, case_settings, **changes) -> CaseLookup:
    assert main(["cases", "import", str(write_csv(sample_rows))]) == 0
    return CaseLookup(db_url, case_settings(**changes))


def _audit_rows(url: str) -> list[dict]:
    with get_engine(url).connect() as connection:
        rows = connection.execute(select(CaseLookupAudit.__table__).order_by(CaseLookupAudit.id))
        return [dict(row) for row in rows.mappings()]


async def test_the_right_pair_shows_the_case(db_url, write_csv, sample_rows, case_settings) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    result = await service.lookup("ys 2025 000123", "5678", "conv-1", "rest")
    assert result.outcome == FOUND
    assert result.case.status == "预审中" and result.case.case_type == "预审"
    assert result.case.updated_at.strftime("%Y-%m-%d") == "2025-03-14"


async def test_a_wrong_pair_looks_the_same_whether_or_not_the_case_exists(
    db_url, write_csv, sample_rows, case_settings
) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    wrong_phone = await service.lookup("YS2025000123", "0000", "conv-1", "rest")
    no_case = await service.lookup("YS2025999999", "5678", "conv-2", "rest")
    assert wrong_phone == no_case
    assert wrong_phone.outcome == NOT_VERIFIED and wrong_phone.case is None
    outcomes = [row["outcome"] for row in _audit_rows(db_url)]
    assert outcomes == [audit.WRONG_PHONE, audit.UNKNOWN_CASE]  # staff can tell; users cannot


async def test_five_failures_lock_the_conversation(
    db_url, write_csv, sample_rows, case_settings
) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    numbers = ["YS2025000001", "YS2025000002", "YS2025000003", "YS2025000004"]
    for number in numbers:
        result = await service.lookup(number, "1111", "conv-x", "rest")
        assert result.outcome == NOT_VERIFIED and not result.locked_now
    fifth = await service.lookup("YS2025000005", "1111", "conv-x", "rest")
    assert fifth.outcome == NOT_VERIFIED and fifth.locked_now
    # Even the right pair is refused now in that conversation, and the backend is not asked.
    refused = await service.lookup("YS2025000123", "5678", "conv-x", "rest")
    assert refused.outcome == LOCKED and refused.case is None
    # Another conversation is not affected.
    other = await service.lookup("YS2025000123", "5678", "conv-y", "rest")
    assert other.outcome == FOUND


async def test_five_failures_lock_the_case_number_for_every_conversation(
    db_url, write_csv, sample_rows, case_settings
) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    for attempt in range(5):
        result = await service.lookup("YS2025000123", f"000{attempt}", f"conv-{attempt}", "rest")
        assert result.outcome == NOT_VERIFIED
    assert result.locked_now
    refused = await service.lookup("YS2025000123", "5678", "conv-new", "telegram")
    assert refused.outcome == LOCKED
    assert (await service.lookup("BA2024000456", "1111", "conv-new", "rest")).outcome == FOUND


async def test_the_lockout_ends_after_its_hour_and_old_failures_do_not_count(
    db_url, write_csv, sample_rows, case_settings
) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    for _ in range(5):
        await service.lookup("YS2025000123", "0000", "conv-1", "rest")
    assert (await service.lookup("YS2025000123", "5678", "conv-1", "rest")).outcome == LOCKED
    # Move the lockout and the failures more than an hour into the past.
    with get_engine(db_url).begin() as connection:
        for table, column in (
            (CaseLookupBudget.__table__, "locked_until"),
            (CaseLookupBudget.__table__, "window_start"),
            (CaseLookupAudit.__table__, "at"),
        ):
            rows = connection.execute(select(table.c.id, table.c[column])).all()
            for row_id, value in rows:
                connection.execute(
                    update(table)
                    .where(table.c.id == row_id)
                    .values({column: value and value.replace(year=2000)})
                )
    assert (await service.lookup("YS2025000123", "5678", "conv-1", "rest")).outcome == FOUND
    result = await service.lookup("YS2025000123", "0000", "conv-1", "rest")
    assert result.outcome == NOT_VERIFIED and not result.locked_now


async def test_backend_errors_are_busy_and_do_not_count_as_failures(
    db_url, write_csv, sample_rows, case_settings
) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    broken = CaseLookup(
        db_url,
        case_settings(
            backend="http", http_url="http://127.0.0.1:9", deadline=0.5, http_timeout=0.2
        ),
    )
    for _ in range(6):
        assert (await broken.lookup("YS2025000123", "0000", "conv-1", "rest")).outcome == BUSY
    assert (await service.lookup("YS2025000123", "5678", "conv-1", "rest")).outcome == FOUND


async def test_the_audit_log_records_every_lookup_but_never_the_digits(
    db_url, write_csv, sample_rows, case_settings, capsys
) -> None:
    service = _service(db_url, write_csv, sample_rows, case_settings)
    await service.lookup("YS2025000123", "5678", "conv-a", "telegram")
    await service.lookup("YS2025000123", "9731", "conv-b", "wechat")
    rows = _audit_rows(db_url)
    assert [(r["conversation_id"], r["channel"], r["case_number"], r["outcome"]) for r in rows] == [
        ("conv-a", "telegram", "YS2025000123", audit.FOUND),
        ("conv-b", "wechat", "YS2025000123", audit.WRONG_PHONE),
    ]
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert "9731" not in stored and "5678" not in stored
    capsys.readouterr()
    assert main(["cases", "audit", "--json"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 2 and '"outcome": "wrong_phone"' in printed
    assert "9731" not in printed and "5678" not in printed
    assert main(["cases", "audit", "--case", "ba2024000456"]) == 0
    assert capsys.readouterr().out == ""
