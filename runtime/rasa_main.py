"""``rasa run`` with the Rasa HTTP API token taken from the environment.

Rasa reads ``--auth-token`` only from its command line, where every user of the machine can
read it (``ps``) and where it was the same secret as the push token. Here the API is off
unless ``IPPC_RASA_API_TOKEN`` is set, and then the token is added to Rasa's arguments inside
this process: ``/proc/<pid>/cmdline`` never holds it.

    python -m runtime.rasa_main run --model ... --port 5005 ...
"""

from __future__ import annotations

import os
import sys


def rasa_arguments(argv: list[str], environ: dict[str, str] | os._Environ) -> list[str]:
    """``argv`` with ``--enable-api --auth-token <token>`` when the API token is set."""
    token = (environ.get("IPPC_RASA_API_TOKEN") or "").strip()
    return [*argv, "--enable-api", "--auth-token", token] if token else list(argv)


def main() -> None:
    from rasa.__main__ import main as rasa

    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    rasa()


if __name__ == "__main__":
    main()
