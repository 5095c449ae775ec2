"""``ippc cases import``: every bad row reported with its line, all rows or none, re-import
updates and appends history. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cases.models import Case, CaseHistory
from core.db import get_engine
from ippc.cli import main


def _count(url: str, table) -> int:  # a Table
    with get_engine(url).connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _case(url: str, number: str) -> dict:
    with get_engine(url).connect() as connection:
        query = select(Case.__table__).where(Case.case_number == number)
        return dict(connection.execute(query).mappings().one())


def _history(url: str, number: str) -> list[str]:
    with get_engine(url).connect() as connection:
        query = (
            select(CaseHistory.status)
            .where(CaseHistory.case_number == number)
            .order_by(CaseHistory.id)
        )
        return list(connection.execute(query).scalars())


def test_import_normalises_and_stores_every_row(db_url: str, write_csv, capsys) -> None:
    path = write_csv(
        [
            "ys 2025 000123,预审,测试科技有限公司,138 1234 5678,预审中,2025-03-14,",
            "ＢＡ２０２４０００４５６,备案,张三丰,+8613900001111,备案通过,2024-12-01 09:30,有效期三年",
            "wq2025000789,维权,深圳某某电子有限公司,137-1111-2222,调解中,2025-04-02T10:00:00+00:00,",
        ],
        bom=True,
    )
    assert main(["cases", "import", str(path)]) == 0
    assert "3 new" in capsys.readouterr().out
    first = _case(db_url, "YS2025000123")
    assert first["phone"] == "13812345678" and first["status"] == "预审中"
    assert _case(db_url, "BA2024000456")["note"] == "有效期三年"
    # An offset is converted to the center's time zone (Asia/Shanghai, UTC+8).
    assert _case(db_url, "WQ2025000789")["updated_at"].hour == 18


def test_reimport_updates_the_case_and_appends_history(
    db_url: str, write_csv, sample_rows, capsys
) -> None:
    assert main(["cases", "import", str(write_csv(sample_rows))]) == 0
    changed = (
        "YS2025000123,预审,测试科技有限公司,13812345678,预审合格,2025-03-20,请尽快提交",
        *sample_rows[1:],
        "YS2025000999,预审,新申请人,13800000000,已受理,2025-03-21,",
    )
    assert main(["cases", "import", str(write_csv(changed, name="again.csv"))]) == 0
    assert "1 new, 1 updated, 2 unchanged" in capsys.readouterr().out
    assert _case(db_url, "YS2025000123")["status"] == "预审合格"
    assert _history(db_url, "YS2025000123") == ["预审中", "预审合格"]
    assert _history(db_url, "BA2024000456") == ["备案通过"]
    assert _count(db_url, Case.__table__) == 4


def test_a_corrected_name_or_phone_updates_the_case_but_is_no_history(
    db_url: str, write_csv, sample_rows, capsys
) -> None:
    assert main(["cases", "import", str(write_csv(sample_rows))]) == 0
    corrected = ("YS2025000123,预审,测试科技股份有限公司,13900009999,预审中,2025-03-14,",)
    assert main(["cases", "import", str(write_csv(corrected, name="fix.csv"))]) == 0
    assert "1 updated" in capsys.readouterr().out
    assert _case(db_url, "YS2025000123")["phone"] == "13900009999"
    assert _history(db_url, "YS2025000123") == ["预审中"]


def test_every_bad_row_is_reported_and_nothing_changes(
    db_url: str, write_csv, sample_rows, capsys
) -> None:
    assert main(["cases", "import", str(write_csv(sample_rows))]) == 0
    bad = write_csv(
        [
            "YS2025000123,预审,测试科技有限公司,13812345678,预审合格,2025-03-20,",  # fine alone
            "YS2025000200,专利,某公司,13812345678,预审中,2025-03-20,",
            "YS2025000201,预审,某公司,1381234567,预审中,2025-03-20,",
            "YS2025000202,预审,某公司,13812345678,预审中,2025-02-30,",
            "ys2025000123,预审,测试科技有限公司,13812345678,预审中,2025-03-20,",
            "not-a-number,预审,某公司,13812345678,预审中,2025-03-20,",
            "YS2025000203,预审,,13812345678,,2025-03-20,",
            "YS2025000204,预审,某公司,13812345678,预审中",
        ],
        name="bad.csv",
    )
    assert main(["cases", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    for line, reason in [
        (3, "case_type '专利'"),
        (4, "phone '1381234567'"),
        (5, "updated_at '2025-02-30'"),
        (6, "case_number YS2025000123 already appears on line 2"),
        (7, "case_number 'not-a-number'"),
        (8, "applicant is empty"),
        (8, "status is empty"),
        (9, "expected 7 columns, found 5"),
    ]:
        assert f"line {line}: {reason}" in err
    assert "line 2:" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .endswith(
            "7 bad row(s), first line 3: case_type '专利' "
            "is not one of 预审, 备案, 维权; nothing imported"
        )
    )
    assert _case(db_url, "YS2025000123")["status"] == "预审中"
    assert _count(db_url, Case.__table__) == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("案件编号,类型,申请人,电话,状态,更新时间,备注\n".encode(), "the header must be exactly"),
        (b"", "the file is empty"),
        (
            "case_number,case_type,applicant,phone,status,updated_at,note\n"
            "YS2025000123,预审,测试,13812345678,预审中,2025-03-14,\n".encode("gbk"),
            "not UTF-8 text (it looks like GBK/GB18030): bad byte at line 2",
        ),
        (b"case_number,case_type,applicant,phone,status,updated_at,note\n", "no case rows"),
    ],
)
def test_unreadable_files_are_refused_with_one_line(
    db_url: str, tmp_path: Path, capsys, content: bytes, reason: str
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert main(["cases", "import", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and reason in err and "nothing imported" in err


def test_a_missing_file_is_a_clear_error(db_url: str, tmp_path: Path, capsys) -> None:
    assert main(["cases", "import", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_database_failure_mid_import_rolls_everything_back(
    db_url: str, write_csv, sample_rows
) -> None:
    assert main(["cases", "import", str(write_csv(sample_rows[:1]))]) == 0
    # The history table going missing makes the import fail after the cases were written.
    with get_engine(db_url).begin() as connection:
        connection.execute(text("DROP TABLE case_history"))
    assert main(["cases", "import", str(write_csv(sample_rows, name="all.csv"))]) == 2
    assert _count(db_url, Case.__table__) == 1


def test_show_prints_the_case_with_history_and_a_masked_phone(
    db_url: str, write_csv, sample_rows, capsys
) -> None:
    main(["cases", "import", str(write_csv(sample_rows))])
    capsys.readouterr()
    assert main(["cases", "show", "ys 2025 000123"]) == 0
    out = capsys.readouterr().out
    assert "YS2025000123" in out and "预审中" in out and "138****5678" in out
    assert "13812345678" not in out
    assert main(["cases", "show", "YS2025999999"]) == 2
    assert "no case YS2025999999" in capsys.readouterr().err
