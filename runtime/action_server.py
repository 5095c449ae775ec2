"""The action server (rasa_sdk, package ``actions``) with what rasa_sdk lacks: it listens on
``IPPC_ACTION_HOST`` (default 127.0.0.1) and refuses every request but ``/health`` that does
not carry ``X-IPPC-Action-Token: <IPPC_ACTION_TOKEN>`` (compared in constant time). Rasa sends
the header from endpoints.yml (``action_endpoint.headers``, a ``${IPPC_ACTION_TOKEN}``
reference); the token travels by environment, never on a command line.

    python -m runtime.action_server --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from runtime.config_files import ACTION_TOKEN_HEADER

TOKEN_HEADER = ACTION_TOKEN_HEADER
OPEN_PATHS = {"/health"}
# Rasa posts the whole tracker (every event) to the action server: more room than channels.
MAX_REQUEST_BYTES = 8 * 1024 * 1024

logger = logging.getLogger(__name__)


def token_ok(expected: str, given: str | None) -> bool:
    """Constant-time check; an empty expected token refuses everything."""
    return bool(expected) and hmac.compare_digest(
        (given or "").encode("utf-8", "surrogateescape"), expected.encode("utf-8")
    )


def protect(app: Sanic, token: str) -> Sanic:
    """Add the token check and the body cap to a rasa_sdk app."""
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not token_ok(token, request.headers.get(TOKEN_HEADER)):
            return response.json({"error": f"{TOKEN_HEADER} missing or wrong"}, status=401)
        return None

    return app


def create_app(token: str, actions: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_app

    return protect(sdk_app(actions, cors_origins=None), token)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.action_server")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    token = os.environ.get("IPPC_ACTION_TOKEN", "").strip()
    if not token:
        print("runtime.action_server: IPPC_ACTION_TOKEN is not set", file=sys.stderr)
        return 2
    host = os.environ.get("IPPC_ACTION_HOST", "127.0.0.1").strip() or "127.0.0.1"
    from rasa_sdk import utils

    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app: Any = create_app(token, args.actions)
    logger.info("Action endpoint is up and running on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
