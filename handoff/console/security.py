"""Console security: the session cookie, CSRF tokens on every POST, same-origin checks and
response headers. Every route needs a live session except the login page and its CSS.

Behind a reverse proxy, the client's address and the scheme come from ``X-Forwarded-For`` and
``X-Forwarded-Proto`` only when the connection is from a proxy in ``IPPC_TRUSTED_PROXIES``;
a request that arrived over HTTPS gets ``Secure`` cookies and HSTS."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web

from channels.proxies import client_address, forwarded_proto
from core.db import run_sync
from handoff.auth import session_for

SESSION_COOKIE = "ippc_console"
LOGIN_CSRF_COOKIE = "ippc_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
PUBLIC = {("GET", "/login"), ("HEAD", "/login"), ("POST", "/login"), ("GET", "/static/console.css")}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_FORM_BYTES = 64 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Clock = Callable[[], datetime]


HSTS = "max-age=31536000"


def client_of(request: web.Request) -> str:
    """The client's address (X-Forwarded-For believed from trusted proxies only)."""
    return client_address(request.remote, request.headers.get("X-Forwarded-For"))


def is_https(request: web.Request) -> bool:
    """The browser's connection is HTTPS: ours, or a trusted proxy's (X-Forwarded-Proto)."""
    return (
        forwarded_proto(request.remote, request.headers.get("X-Forwarded-Proto"), request.scheme)
        == "https"
    )


def secure_cookies(request: web.Request, configured: bool) -> bool:
    """Cookies are ``Secure`` when configured so or when this request came over HTTPS."""
    return configured or is_https(request)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def _wants_html(request: web.Request) -> bool:
    return request.method in SAFE_METHODS and not request.path.startswith("/api/")


def _same_origin(request: web.Request) -> bool:
    """A browser's Origin header, when sent, must name this console's host (http or https,
    for a console behind a TLS proxy); the CSRF token has to match in any case."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.host and origin.startswith(("http://", "https://"))


async def submitted_csrf(request: web.Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def make_middlewares(url: str | None, clock: Clock) -> list:
    @web.middleware
    async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            response = error
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        if is_https(request):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if isinstance(response, web.HTTPException):
            raise response
        return response

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.content_length and request.content_length > MAX_FORM_BYTES:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_FORM_BYTES, actual_size=request.content_length
            )
        if request.method not in SAFE_METHODS and not _same_origin(request):
            raise web.HTTPForbidden(text="cross-origin request refused")
        if (request.method, request.path) in PUBLIC:
            return await handler(request)
        found = await run_sync(
            session_for, request.cookies.get(SESSION_COOKIE), now=clock(), url=url
        )
        if found is None:
            if _wants_html(request):
                raise web.HTTPFound("/login")
            raise web.HTTPUnauthorized(text="login required")
        staff, csrf = found
        if request.method not in SAFE_METHODS:
            if not tokens_match(csrf, await submitted_csrf(request)):
                raise web.HTTPForbidden(text="missing or invalid CSRF token")
        request["staff"] = staff
        request["csrf"] = csrf
        return await handler(request)

    return [headers, authenticate]
