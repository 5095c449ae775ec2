"""``ippc run``: the whole assistant - Rasa server, action server and staff console - as
child processes with the embedded defaults (SQLite, no other server needed)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from core.errors import CliError
from core.migrate import upgrade
from core.model_files import latest_model
from core.paths import runtime_dir
from core.settings import get_settings
from handoff.first_run import first_admin_hint
from runtime.launch import plan_services, supervise
from runtime.security import check, fill_run_secrets


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start the assistant and print its URLs")
    parser.add_argument("--model", help="model file (default: the latest in models/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    security = check(os.environ)  # refuses an unsafe combination before anything starts
    model = Path(args.model) if args.model else latest_model()
    if model is None or not model.exists():
        raise CliError("no trained model found: run `ippc train` first")
    for line in security.lines():
        print(f"ippc run: {line}", flush=True)
    fill_run_secrets(os.environ, runtime_dir())
    settings = get_settings()
    upgrade(settings.database_url)
    if hint := first_admin_hint(settings.database_url):
        print(hint, flush=True)
    supervise(plan_services(settings, model, runtime_dir()))
    return 0
