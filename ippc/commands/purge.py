"""``ippc purge --older-than 180d``: delete what the assistant keeps about people once it is
older than the retention period (docs/security.md): Rasa's stored events, closed tickets and
their transcripts, the console access log, login throttling, the case-lookup audit and
lockout counters, the push outbox and the webhook replay guard. Open tickets and running
lockouts are kept."""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import timedelta

from channels import retention as channel_retention
from core.clock import utc_now
from core.errors import CliError
from core.migrate import upgrade
from core.settings import get_settings
from handoff import retention as handoff_retention
from runtime.retention import purge_events

DEFAULT_RETENTION = "180d"
_PERIOD = re.compile(r"^(\d{1,5})([dh])$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("purge", help="delete personal data older than a period")
    parser.add_argument(
        "--older-than",
        default=DEFAULT_RETENTION,
        help=f"age of what is deleted: <days>d or <hours>h (default {DEFAULT_RETENTION})",
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.set_defaults(func=run)


def parse_period(text: str) -> timedelta:
    """``180d`` → 180 days, ``12h`` → 12 hours; CliError for anything else or zero."""
    match = _PERIOD.match((text or "").strip())
    if not match or int(match.group(1)) == 0:
        raise CliError(f"--older-than must look like 180d or 12h, not {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


def run(args: argparse.Namespace) -> int:
    from cases.service import purge as purge_cases

    before = utc_now() - parse_period(args.older_than)
    database = get_settings().database_url
    upgrade(database)
    tracker = os.environ.get("IPPC_TRACKER_STORE_URL") or database
    counts = {
        "events": purge_events(before, tracker),
        **handoff_retention.purge(before, database),
        **purge_cases(before, database),
        **channel_retention.purge(before, database),
    }
    if args.json:
        print(json.dumps({"before": before.isoformat(), "deleted": counts}))
    else:
        print(f"deleted what is older than {before:%Y-%m-%d %H:%M} UTC:")
        for table, count in counts.items():
            print(f"  {table}: {count}")
    return 0
