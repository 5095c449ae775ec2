"""Errors a command reports to the user as one line, exiting non-zero."""


class CliError(Exception):
    """Bad input or a missing prerequisite; the message is the one-line reason."""

    exit_code = 2
