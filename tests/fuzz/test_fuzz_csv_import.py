"""Bad input at volume on ``ippc cases import``: any file gets exit 0 (imported) or a one-line
reason with exit 2 and an unchanged database; no exception escapes; re-importing what was
imported changes nothing."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.db import get_engine
from core.migrate import upgrade
from core.patterns import normalise_case_number
from ippc.cli import main
from tests.fuzz.conftest import ErrorRecords

pytestmark = pytest.mark.fuzz

HEADER = ["case_number", "case_type", "applicant", "phone", "status", "updated_at", "note"]
FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ippc-fuzz-csv-") as folder:
        url = f"sqlite:///{Path(folder) / 'cases.db'}"
        saved = {name: os.environ.get(name) for name in ("IPPC_DATABASE_URL", "IPPC_DATA_DIR")}
        os.environ["IPPC_DATABASE_URL"] = url
        os.environ["IPPC_DATA_DIR"] = folder
        upgrade(url)
        try:
            yield url
        finally:
            get_engine(url).dispose()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def snapshot(url: str) -> list[tuple]:
    with get_engine(url).connect() as connection:
        return connection.execute(
            text("SELECT case_number, case_type, status, updated_at FROM cases ORDER BY 1")
        ).all()


garbage = st.text(max_size=30)
cells = {
    "case_number": st.one_of(
        st.from_regex(r"(YS|BA|WQ)20[0-9]{2}[0-9]{6}", fullmatch=True),
        st.from_regex(r"[ a-z]{0,3}(ys|ba|wq) ?20[0-9]{2} ?[0-9]{6}", fullmatch=True),
        garbage,
    ),
    "case_type": st.sampled_from(["预审", "备案", "维权", "", "其他"]) | garbage,
    "applicant": st.text(max_size=40),
    "phone": st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True) | garbage,
    "status": st.sampled_from(["预审中", "备案通过", "调解中", ""]) | garbage,
    "updated_at": st.sampled_from(
        ["2025-03-14", "2024-12-01 09:30", "2025/04/02", "2025-02-30", "昨天", ""]
    )
    | garbage,
    "note": garbage,
}
rows = st.lists(st.fixed_dictionaries(cells), max_size=8)
headers = st.one_of(
    st.just(HEADER), st.permutations(HEADER), st.lists(garbage, min_size=0, max_size=8)
)


def quote(cell: str) -> str:
    if any(c in cell for c in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(headers)
    body = [header] + [[row[name] for name in HEADER] for row in draw(rows)]
    if draw(st.booleans()):  # ragged rows
        body = [line[: draw(st.integers(0, len(line)))] for line in body]
    text_ = "\r\n".join(",".join(quote(c) for c in line) for line in body)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
    data = text_.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # now and then, bytes that are no text at all
        data = draw(st.binary(max_size=300))
    return data


def run_import(path: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["cases", "import", str(path)])
    return code, err.getvalue()


@FUZZ
@given(data=csv_files())
def test_any_file_is_imported_whole_or_refused_with_one_line(
    database: str, logged_errors: ErrorRecords, data: bytes
) -> None:
    before = snapshot(database)
    with tempfile.TemporaryDirectory(prefix="ippc-fuzz-file-") as folder:
        path = Path(folder) / "cases.csv"
        path.write_bytes(data)
        code, err = run_import(path)
        assert code in (0, 2), code
        if code == 2:
            # Bad rows are listed one a line, like an editor shows them; the reason is the
            # one closing line.
            assert err.strip().splitlines()[-1].startswith("ippc cases: "), err
            assert snapshot(database) == before  # nothing changed
        else:
            imported = snapshot(database)
            assert run_import(path)[0] == 0
            assert snapshot(database) == imported  # re-import: same cases, same values
    assert not logged_errors.messages()


# Files that must be imported: the header, UTF-8, unique case numbers, every cell valid in one
# of the ways a center's export writes it. Each row must then be stored with its values.
VALID_DATES = {
    "2025-03-14": datetime(2025, 3, 14),
    "2024-12-01 09:30": datetime(2024, 12, 1, 9, 30),
    "2025/04/02": datetime(2025, 4, 2),
    "2025.01.31": datetime(2025, 1, 31),
    "2023-07-08 18:05:09": datetime(2023, 7, 8, 18, 5, 9),
}
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip())
valid_rows = st.lists(
    st.fixed_dictionaries(
        {
            "case_number": st.from_regex(r"(YS|BA|WQ|ys|ｙｓ)20[0-9]{2}[0-9]{6}", fullmatch=True),
            "case_type": st.sampled_from(["预审", "备案", "维权"]),
            "applicant": st.one_of(st.just("测试科技有限公司"), cell_text),
            "phone": st.one_of(
                st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
                st.from_regex(r"\+86 1[3-9][0-9] ?[0-9]{4}-?[0-9]{4}", fullmatch=True),
            ),
            "status": st.one_of(st.sampled_from(["预审中", "备案通过", "调解中"]), cell_text),
            "updated_at": st.sampled_from(sorted(VALID_DATES)),
            "note": st.one_of(st.just(""), cell_text),
        }
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda row: normalise_case_number(row["case_number"]),
)


def stored(url: str, number: str) -> tuple | None:
    with get_engine(url).connect() as connection:
        return connection.execute(
            text("SELECT case_type, status, updated_at FROM cases WHERE case_number = :n"),
            {"n": number},
        ).one_or_none()


@FUZZ
@given(
    table=valid_rows,
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_every_valid_row_is_stored(
    database: str,
    logged_errors: ErrorRecords,
    table,
    encoding,
) -> None:
    lines = [",".join(HEADER)] + [",".join(quote(row[name]) for name in HEADER) for row in table]
    with tempfile.TemporaryDirectory(prefix="ippc-fuzz-file-") as folder:
        path = Path(folder) / "cases.csv"
        path.write_bytes("\r\n".join(lines).encode(encoding))
        code, err = run_import(path)
    assert code == 0, err
    for row in table:
        found = stored(database, normalise_case_number(row["case_number"]))
        assert found is not None, row
        case_type, status, updated_at = found
        if isinstance(updated_at, str):
            updated_at = datetime.fromisoformat(updated_at)
        assert (case_type, status, updated_at) == (
            row["case_type"], row["status"].strip(), VALID_DATES[row["updated_at"]]
        ), row  # fmt: skip
    assert not logged_errors.messages()
