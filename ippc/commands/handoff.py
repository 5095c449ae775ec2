"""``ippc handoff list [--json]`` and ``ippc staff add|list``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from sqlalchemy.exc import SQLAlchemyError

from core.db import session_scope
from core.errors import CliError
from core.migrate import migrated_for_command
from handoff.auth import ROLES, AuthError, add_staff, list_staff
from handoff.models import STATUSES
from handoff.review import ReviewFilter, find_tickets, local_text, ticket_dict


def register(subparsers: argparse._SubParsersAction) -> None:
    handoff = subparsers.add_parser("handoff", help="handoff tickets: list with transcripts")
    commands = handoff.add_subparsers(dest="handoff_command", metavar="SUBCOMMAND")
    commands.required = True
    listing = commands.add_parser("list", help="list handoff tickets, newest first")
    listing.add_argument("--json", action="store_true", help="a JSON list with transcripts")
    listing.add_argument("--status", choices=STATUSES, help="only tickets in this status")
    listing.set_defaults(func=list_command)

    staff = subparsers.add_parser("staff", help="staff console accounts: add, list")
    staff_commands = staff.add_subparsers(dest="staff_command", metavar="SUBCOMMAND")
    staff_commands.required = True
    adding = staff_commands.add_parser("add", help="create a console account (argon2 hash)")
    adding.add_argument("username")
    adding.add_argument("--role", choices=ROLES, default="agent")
    adding.add_argument("--name", dest="display_name", help="name shown in the console")
    adding.add_argument("--center", help="limit the account to this center's tickets")
    adding.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    adding.set_defaults(func=staff_add_command)
    listing_staff = staff_commands.add_parser("list", help="list console accounts")
    listing_staff.set_defaults(func=staff_list_command)


def list_command(args: argparse.Namespace) -> int:
    url = migrated_for_command()
    try:
        with session_scope(url) as session:
            tickets = find_tickets(session, ReviewFilter(status=args.status), limit=None)
            rows = [ticket_dict(t) for t in tickets]
            lines = [
                f"#{t.id}\t{t.status}\t{t.reason}\t{t.channel}\t{local_text(t.created_at)}\t"
                f"{t.conversation_id}\t{len(t.messages)} messages"
                for t in tickets
            ]
    except SQLAlchemyError as error:
        raise CliError(f"cannot read tickets: {error.__class__.__name__}") from None
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines) if lines else "no tickets")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the password: use --password-stdin")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise CliError("the two passwords differ; nothing created")
    return first


def staff_add_command(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    url = migrated_for_command()
    try:
        staff = add_staff(
            args.username,
            password,
            role=args.role,
            display_name=args.display_name,
            center=args.center,
            url=url,
        )
    except AuthError as error:
        raise CliError(f"{error}; nothing created") from None
    except SQLAlchemyError as error:
        raise CliError(f"cannot create the account: {error.__class__.__name__}") from None
    scope = f", center {staff.center}" if staff.center else ""
    print(f"created {staff.role} {staff.username!r} (id {staff.id}{scope})")
    return 0


def staff_list_command(args: argparse.Namespace) -> int:
    url = migrated_for_command()
    for staff in list_staff(url):
        print(
            f"{staff.id}\t{staff.username}\t{staff.role}\t{staff.center or '*'}\t{staff.display_name}"
        )
    return 0
