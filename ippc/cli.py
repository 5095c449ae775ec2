"""The ``ippc`` command line. Each area registers its own sub-commands (see COMMAND_MODULES)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from core.errors import CliError

# Modules with ``register(subparsers)``; each adds its commands and sets ``func`` on them.
COMMAND_MODULES = (
    "ippc.commands.train",
    "ippc.commands.run",
    "ippc.commands.classify",
    "ippc.commands.inbox",
    "cases.cli",
    "handoff.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ippc", description="国家级知识产权保护中心智能助手 (ippc-assistant)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name or name.startswith(f"{error.name}."):
                continue  # that area is not installed in this checkout
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: one line of reason and a non-zero exit on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except CliError as error:
        print(f"ippc {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
