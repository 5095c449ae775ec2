"""``ippc inbox export``: staff labels from the console's inbox → Rasa NLU training data and
the answer-drafts review file (the work is in handoff/inbox_export.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from core.db import session_scope
from core.errors import CliError
from core.migrate import upgrade
from core.settings import get_settings
from handoff.inbox_export import export


def register(subparsers: argparse._SubParsersAction) -> None:
    inbox = subparsers.add_parser(
        "inbox", help="missed-message inbox: export staff labels as training data"
    )
    commands = inbox.add_subparsers(dest="inbox_command", metavar="SUBCOMMAND")
    commands.required = True
    exporting = commands.add_parser(
        "export", help="write labelled messages as NLU data and drafted answers for review"
    )
    exporting.add_argument("--nlu-dir", type=Path, help="default: bot/data/nlu/reviewed")
    exporting.add_argument(
        "--drafts-file", type=Path, help="default: knowledge_base/data/answer_drafts.yml"
    )
    exporting.add_argument(
        "--domain-file", type=Path, help="default: bot/domain/reviewed_answers.yml"
    )
    exporting.set_defaults(func=export_command)


def export_command(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    try:
        upgrade(url)
        with session_scope(url) as session:
            result = export(session, args.nlu_dir, args.drafts_file, args.domain_file)
    except SQLAlchemyError as error:
        raise CliError(f"database unavailable: {error.__class__.__name__}") from None
    except OSError as error:
        raise CliError(f"cannot write the export: {error}") from None
    total = sum(result.examples.values())
    print(f"{total} labelled examples in {len(result.examples)} topic files", end="")
    print(f" ({result.skipped} skipped: already known or repeated)")
    for topic, count in sorted(result.examples.items()):
        print(f"  {topic}: {count}")
    print(f"{result.drafts} drafted answers; published after approval: {len(result.published)}")
    for draft_id in result.unplaced:
        print(f"  approved draft #{draft_id}: its topic has no FAQ sub-intents; place it by hand")
    if total or result.published:
        print("run `ippc train` to learn from them")
    return 0
