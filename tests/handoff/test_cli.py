"""``ippc handoff list --json`` (the contract's shape) and ``ippc staff add``."""

from __future__ import annotations

import io
import json

import pytest

from handoff.auth import list_staff
from ippc.cli import main


def test_handoff_list_json_has_the_contract_fields(
    handoff_db: str, make_ticket, capsys: pytest.CaptureFixture
) -> None:
    assert main(["handoff", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    ticket_id = make_ticket("cli-user", words=("转人工", "电话13812345678"), channel="webchat")
    assert main(["handoff", "list", "--json"]) == 0
    [ticket] = json.loads(capsys.readouterr().out)
    assert {
        "id",
        "conversation_id",
        "channel",
        "status",
        "reason",
        "created_at",
        "transcript",
    } <= set(ticket)
    assert (ticket["id"], ticket["conversation_id"], ticket["channel"]) == (
        ticket_id,
        "cli-user",
        "webchat",
    )
    assert (ticket["status"], ticket["reason"]) == ("waiting", "user_request")
    assert [(line["sender"], line["text"]) for line in ticket["transcript"]] == [
        ("user", "转人工"),
        ("user", "电话138****5678"),
    ]
    assert all(isinstance(line["at"], str) and "T" in line["at"] for line in ticket["transcript"])
    assert main(["handoff", "list"]) == 0
    assert f"#{ticket_id}\twaiting" in capsys.readouterr().out


def test_staff_add_reads_the_password_from_stdin(
    handoff_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a good long password\n"))
    assert (
        main(["staff", "add", "wang", "--role", "admin", "--name", "王老师", "--password-stdin"])
        == 0
    )
    assert "created admin 'wang'" in capsys.readouterr().out
    [staff] = list_staff(handoff_db)
    assert (staff.username, staff.role, staff.display_name) == ("wang", "admin", "王老师")


@pytest.mark.parametrize(
    ("argv", "stdin", "reason"),
    [
        (["staff", "add", "li", "--password-stdin"], "short\n", "at least 10"),
        (["staff", "add", "li li", "--password-stdin"], "a good long password\n", "user name"),
        (["staff", "add", "li"], "", "--password-stdin"),
    ],
)
def test_staff_add_bad_input_is_one_line_and_changes_nothing(
    handoff_db: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    argv: list[str],
    stdin: str,
    reason: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert reason in err and "\n" not in err
    assert list_staff(handoff_db) == []


def test_existing_user_is_refused(
    handoff_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for expected in (0, 2):
        monkeypatch.setattr("sys.stdin", io.StringIO("a good long password\n"))
        assert main(["staff", "add", "zhao", "--password-stdin"]) == expected
    assert "already exists" in capsys.readouterr().err
