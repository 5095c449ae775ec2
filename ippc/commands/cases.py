"""``ippc cases import FILE.csv``, ``ippc cases show NUMBER`` and ``ippc cases audit``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from cases import audit
from cases.csv_rows import CsvFileError, read_case_csv
from cases.importer import import_rows
from cases.masking import mask_phone
from cases.models import Case, CaseHistory
from core.db import get_engine
from core.errors import CliError
from core.migrate import migrated_for_command
from core.patterns import normalise_case_number
from knowledge_base.texts import say
from knowledge_base.timezone import center_timezone

MAX_REPORTED = 200  # bad rows listed one per line; past this only the count


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cases", help="case records: import, show, lookup audit")
    commands = parser.add_subparsers(dest="cases_command", metavar="SUBCOMMAND")
    commands.required = True

    importing = commands.add_parser("import", help="import case records from a UTF-8 CSV file")
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    importing.set_defaults(func=import_command)

    show = commands.add_parser("show", help="show one case with its status history (for staff)")
    show.add_argument("number", metavar="NUMBER")
    show.set_defaults(func=show_command)

    auditing = commands.add_parser("audit", help="print the case lookup audit log, newest first")
    auditing.add_argument("--limit", type=int, default=50, help="entries to print (default 50)")
    auditing.add_argument("--case", dest="case_number", help="only lookups of this case number")
    auditing.add_argument("--json", action="store_true", help="one JSON object per line")
    auditing.set_defaults(func=audit_command)
    unlocking = commands.add_parser(
        "unlock", help="lift a case number's lookup lockout (after staff checked the applicant)"
    )
    unlocking.add_argument("case_number")
    unlocking.set_defaults(func=unlock_command)


def import_command(args: argparse.Namespace) -> int:
    try:
        rows, errors = read_case_csv(args.file, center_timezone())
    except CsvFileError as error:
        raise CliError(f"{args.file}: {error}; nothing imported") from None
    if errors:
        for error in errors[:MAX_REPORTED]:
            print(f"{args.file}: {error}", file=sys.stderr)
        if len(errors) > MAX_REPORTED:
            print(f"{args.file}: ... and {len(errors) - MAX_REPORTED} more", file=sys.stderr)
        lines = len({error.line for error in errors})
        raise CliError(f"{args.file}: {lines} bad row(s), first {errors[0]}; nothing imported")
    if not rows:
        raise CliError(f"{args.file}: no case rows after the header; nothing imported")
    url = migrated_for_command()
    try:
        result = import_rows(rows, url)
    except SQLAlchemyError as error:
        raise CliError(f"import failed, nothing imported: {error.__class__.__name__}") from None
    print(
        f"imported {result.total} case(s) from {args.file}: {result.created} new, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def show_command(args: argparse.Namespace) -> int:
    number = normalise_case_number(args.number)
    url = migrated_for_command()
    with get_engine(url).connect() as connection:
        case = connection.execute(select(Case.__table__).where(Case.case_number == number))
        case = case.mappings().first()
        if case is None:
            raise CliError(f"no case {number}")
        history = connection.execute(
            select(CaseHistory.__table__)
            .where(CaseHistory.case_number == number)
            .order_by(CaseHistory.id)
        ).mappings()
        history = list(history)
    print(
        say(
            "cases.show",
            case_number=case["case_number"],
            case_type=case["case_type"],
            applicant=case["applicant"],
            phone=mask_phone(case["phone"]),
            status=case["status"],
            updated_at=f"{case['updated_at']:%Y-%m-%d %H:%M}",
            note=case["note"] or "-",
        )
    )
    for entry in history:
        note = f"  {entry['note']}" if entry["note"] else ""
        print(f"  {entry['updated_at']:%Y-%m-%d %H:%M}  {entry['status']}{note}")
    return 0


def audit_command(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    case_number = normalise_case_number(args.case_number) if args.case_number else None
    url = migrated_for_command()
    zone = ZoneInfo(center_timezone())
    with get_engine(url).connect() as connection:
        entries = audit.entries(connection, args.limit, case_number)
    for entry in entries:
        local = entry.at.replace(tzinfo=timezone.utc).astimezone(zone)
        if args.json:
            record = {
                "at": local.isoformat(timespec="seconds"),
                "conversation_id": entry.conversation_id,
                "channel": entry.channel,
                "case_number": entry.case_number,
                "outcome": entry.outcome,
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(
                f"{local:%Y-%m-%d %H:%M:%S}  {entry.channel:<10} {entry.case_number:<16} "
                f"{entry.outcome:<14} {entry.conversation_id}"
            )
    return 0


def unlock_command(args: argparse.Namespace) -> int:
    """The applicant's way back after someone else locked their case number: staff check who
    they are (by phone), then lift the lock; the lookups still need the right pair."""
    from cases.service import CaseLookup

    lifted = CaseLookup(migrated_for_command()).unlock(args.case_number)
    print(f"{args.case_number}: {'unlocked' if lifted else 'was not locked'}")
    return 0
