"""``python -m deploy``: the production stack on this machine, until Ctrl-C or SIGTERM.

    IPPC_DATABASE_URL=postgresql+psycopg2://ippc:...@127.0.0.1:5432/ippc \\
    IPPC_REDIS_URL=redis://127.0.0.1:6379/1 \\
    .venv/bin/python -m deploy --instances 2 --action-workers 2 --port 8080

Applies the database migrations, starts the action server workers, the Rasa servers and nginx
(each a child process, logs in --workdir), prints the URLs, and stops them all on exit.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from core.errors import CliError
from core.model_files import latest_model
from core.paths import runtime_dir
from core.settings import get_settings
from deploy.stack import Stack, StackSettings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=2, help="Rasa servers (default 2)")
    parser.add_argument("--action-workers", type=int, default=2, help="action server processes")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--model", type=Path, help="model file (default: the latest)")
    parser.add_argument("--workdir", type=Path, help="logs and generated files")
    parser.add_argument(
        "--ports", default="5400-5499", help="range for the servers behind nginx (LOW-HIGH)"
    )
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> StackSettings:
    if args.instances < 1 or args.action_workers < 1:
        raise CliError("--instances and --action-workers must be at least 1")
    model = args.model or latest_model()
    if model is None or not Path(model).exists():
        raise CliError("no trained model found: run `ippc train` first")
    database = get_settings().database_url
    if args.instances > 1 and not database.startswith("postgresql"):
        raise CliError("more than one Rasa server needs PostgreSQL: set IPPC_DATABASE_URL")
    redis_url = os.environ.get("IPPC_REDIS_URL")
    if args.instances > 1 and not redis_url:
        raise CliError("more than one Rasa server needs the Redis lock store: set IPPC_REDIS_URL")
    try:
        low, high = (int(part) for part in args.ports.split("-"))
    except ValueError:
        raise CliError(f"--ports must look like 5400-5499, not {args.ports!r}") from None
    return StackSettings(
        model=Path(model),
        database_url=database,
        redis_url=redis_url,
        instances=args.instances,
        action_workers=args.action_workers,
        listen_port=args.port,
        port_range=(low, high),
        workdir=args.workdir or runtime_dir() / "deploy",
    )


def main(argv: list[str] | None = None) -> int:
    try:
        stack = Stack(settings_from(parse_args(argv)))
    except (CliError, ValueError, RuntimeError) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        stack.start()
        print("ippc-assistant (production stack) is running:", flush=True)
        print(f"  REST channel: {stack.rest_url}", flush=True)
        for name, url in zip(
            [f"rasa-{i}" for i in range(1, len(stack.rasa_urls) + 1)], stack.rasa_urls, strict=True
        ):
            print(f"  {name}: {url}", flush=True)
        print(f"  logs: {stack.workdir}", flush=True)
        while all(child.running for child in stack.children.values()):
            time.sleep(1)
        failed = next(name for name, child in stack.children.items() if not child.running)
        print(f"deploy: {failed} stopped; see {stack.children[failed].log_path}", file=sys.stderr)
        return 1
    except RuntimeError as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
