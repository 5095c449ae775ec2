"""``ippc kb export`` / ``ippc kb check``: knowledge review for a center's staff (thin wrappers
over knowledge_base.review)."""

from __future__ import annotations

import argparse

from core.errors import CliError
from knowledge_base.base import KnowledgeBase
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.review import DEFAULT_MAX_AGE_DAYS, check, export_csv, export_markdown


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("kb", help="review the knowledge base (export, check)")
    commands = parser.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    commands.required = True
    export = commands.add_parser("export", help="print every answer with its kind, sources, dates")
    export.add_argument("--format", choices=("md", "csv"), default="md")
    export.set_defaults(func=run_export)
    checking = commands.add_parser("check", help="list old facts, sample data, unsourced answers")
    checking.add_argument(
        "--max-age-days", type=int, default=DEFAULT_MAX_AGE_DAYS, help="older facts are listed"
    )
    checking.add_argument("--strict", action="store_true", help="exit 1 when anything is listed")
    checking.set_defaults(func=run_check)


def _load() -> KnowledgeBase:
    try:
        return KnowledgeBase.load()
    except KnowledgeBaseError as error:
        raise CliError(f"knowledge base: {error}") from None


def run_export(args: argparse.Namespace) -> int:
    kb = _load()
    print(export_csv(kb) if args.format == "csv" else export_markdown(kb), end="")
    return 0


def run_check(args: argparse.Namespace) -> int:
    if args.max_age_days < 0:
        raise CliError("--max-age-days must not be negative")
    kb = _load()
    findings = check(kb, args.max_age_days)
    for line in findings:
        print(line)
    reach = kb.reach()
    print("reachable: " + ", ".join(f"{key} {value}" for key, value in reach.items()))
    problems = [f for f in findings if not f.startswith("deployment:")]
    return 1 if args.strict and problems else 0
