"""Finding 5: the case-lookup lockout cannot be raced, reset by a new conversation, or dodged
by writing the case number differently; there are per-client and global budgets; and an
applicant locked out by someone else gets back in through staff."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cases import audit
from cases.records import CaseRecord
from cases.service import FOUND, LOCKED, NOT_VERIFIED, CaseLookup
from cases.settings import CaseSettings
from core.db import get_engine
from ippc.cli import main

SETTINGS = CaseSettings(
    backend="sql", http_url="", http_token="", http_timeout=0.7, deadline=5.0,
    breaker_failures=3, breaker_reset=30.0, lockout_failures=5, lockout_window=3600.0,
    client_failures=8, global_failures=30,
)  # fmt: skip
CASE_CSV = (
    "case_number,case_type,applicant,phone,status,updated_at,note\n"
    "YS2025000123,预审,测试科技有限公司,13812345678,预审中,2025-03-14 10:00,\n"
)


class SlowBackend:
    """The center's system, slow enough that parallel attempts overlap; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def fetch(self, case_number: str) -> CaseRecord | None:
        self.calls += 1
        await asyncio.sleep(0.2)
        return None


@pytest.fixture
def service(sqlite_db: str, tmp_path: Path) -> CaseLookup:
    csv = tmp_path / "cases.csv"
    csv.write_text(CASE_CSV, encoding="utf-8")
    assert main(["cases", "import", str(csv)]) == 0
    return CaseLookup(sqlite_db, SETTINGS)


async def test_parallel_attempts_cannot_all_pass_the_check(sqlite_db: str) -> None:
    backend = SlowBackend()
    service = CaseLookup(sqlite_db, SETTINGS, backend=backend)
    results = await asyncio.gather(
        *(service.lookup("YS2025000999", f"{n:04d}", f"rest:racer{n}", "rest") for n in range(20))
    )
    assert backend.calls <= SETTINGS.lockout_failures  # never more tries than the limit
    assert sum(r.outcome == LOCKED for r in results) >= 20 - SETTINGS.lockout_failures


async def test_new_conversations_do_not_reset_the_count_of_one_client(service: CaseLookup) -> None:
    outcomes = [
        (
            await service.lookup(f"YS20250{n:05d}", "0000", f"rest:fresh-{n}", "rest", "10.1.2.3")
        ).outcome
        for n in range(12)
    ]
    assert outcomes[: SETTINGS.client_failures] == [NOT_VERIFIED] * SETTINGS.client_failures
    assert set(outcomes[SETTINGS.client_failures :]) == {LOCKED}
    other = await service.lookup("YS2025000123", "5678", "rest:someone", "rest", "10.9.9.9")
    assert other.outcome == FOUND


async def test_the_case_number_written_differently_is_the_same_key(service: CaseLookup) -> None:
    spellings = [
        "YS2025000123",
        "ys-2025-000123",
        "YS 2025 000123",
        "YS_2025.000123",
        "ys2025000123",
    ]
    for n, spelling in enumerate(spellings):
        result = await service.lookup(spelling, "0000", f"rest:variant-{n}", "rest")
        assert result.outcome == NOT_VERIFIED
    assert result.locked_now
    locked = await service.lookup("Y S-2025-000123", "5678", "rest:owner", "rest")
    assert locked.outcome == LOCKED


async def test_a_global_budget_stops_a_distributed_search(service: CaseLookup) -> None:
    for n in range(SETTINGS.global_failures):
        await service.lookup(f"BA20{n:02d}00{n:04d}", "0000", f"telegram:{n}", "telegram")
    blocked = await service.lookup("YS2025000123", "5678", "telegram:late", "telegram")
    assert blocked.outcome == LOCKED


async def test_staff_can_let_the_applicant_back_in_after_a_lockout(
    service: CaseLookup, capsys: pytest.CaptureFixture
) -> None:
    for n in range(SETTINGS.lockout_failures):  # someone else guesses the digits
        await service.lookup("YS2025000123", f"{n:04d}", f"rest:attacker-{n}", "rest")
    assert (
        await service.lookup("YS2025000123", "5678", "wechat:owner", "wechat")
    ).outcome == LOCKED
    assert main(["cases", "unlock", "ys-2025-000123"]) == 0  # staff checked who is calling
    assert "unlocked" in capsys.readouterr().out
    assert (await service.lookup("YS2025000123", "5678", "wechat:owner", "wechat")).outcome == FOUND
    with get_engine(service.database_url).connect() as connection:
        assert audit.LOCKED in [e.outcome for e in audit.entries(connection, limit=100)]
