"""The ``ippc`` command line: one module per command group in ``ippc/commands/``, each a thin
layer over an area's code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from core.errors import CliError
from ippc.commands import cases, classify, handoff, inbox, kb, purge, run, train

# Modules with ``register(subparsers)``; each adds its commands and sets ``func`` on them.
COMMAND_MODULES = (train, run, classify, cases, handoff, inbox, kb, purge)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ippc",
        description="ippc-assistant: the assistant of the national IP protection centers",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in COMMAND_MODULES:
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
