"""The staff console: an aiohttp app with Jinja2 pages (``python -m handoff.console``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from core.clock import utc_now
from handoff.console.inbox_views import inbox_routes
from handoff.console.security import make_middlewares
from handoff.console.views import routes
from handoff.inbox import intent_label
from handoff.settings import HandoffSettings, get_handoff_settings
from nlu.topics import topic_label

HERE = Path(__file__).resolve().parent
STATIC_FILES = {"console.css": "text/css", "console.js": "text/javascript"}


async def _static(request: web.Request) -> web.FileResponse:
    """The console's two static files (behind the same authentication as the pages)."""
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    response = web.FileResponse(HERE / "static" / name)
    response.content_type = STATIC_FILES[name]
    return response


def create_app(
    url: str | None = None,
    settings: HandoffSettings | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    """The console on database ``url`` (default: IPPC_DATABASE_URL); ``clock`` gives naive
    UTC now (sessions and login throttling), replaceable so tests can let time pass."""
    settings = settings or get_handoff_settings()
    app = web.Application(middlewares=make_middlewares(url, clock), client_max_size=64 * 1024)
    app["handoff_config"] = {
        "url": url,
        "clock": clock,
        "session_minutes": settings.session_minutes,
        "secure_cookies": settings.secure_cookies,
    }
    environment = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    # Staff read Chinese topic labels, not intent names.
    environment.filters["topic_label"] = topic_label
    environment.filters["intent_label"] = intent_label
    app.add_routes(routes)
    app.add_routes(inbox_routes)
    app.router.add_get("/static/{name}", _static)
    return app
