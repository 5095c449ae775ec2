"""``python -m handoff.console``: serve the console on IPPC_CONSOLE_HOST:IPPC_CONSOLE_PORT
(default 127.0.0.1:5010). ``ippc run`` starts it after migrating the database."""

from __future__ import annotations

import logging

from aiohttp import web

from handoff.console import create_app
from handoff.settings import get_handoff_settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_handoff_settings()
    print(f"staff console on http://{settings.console_host}:{settings.console_port}/", flush=True)
    web.run_app(
        create_app(settings=settings),
        host=settings.console_host,
        port=settings.console_port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
