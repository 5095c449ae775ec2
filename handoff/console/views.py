"""Console pages and the small JSON API their JavaScript polls. Every database call runs in
a worker thread (``core.db.run_sync``), so that one slow query never holds up the other
staff's pages and polls."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from core.db import run_sync, session_scope
from handoff import access_log
from handoff.auth import AuthError, StaffView, add_staff, list_staff, login, logout
from handoff.console.accountability import (
    HOLDER_ONLY,
    NOTICE_CODES,
    error_code,
    error_text,
    require_holder,
    take_over,
    ticket_held_by_other,
)
from handoff.console.security import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    client_of,
    new_token,
    secure_cookies,
    tokens_match,
)
from handoff.dashboard import bar_chart_svg, build_dashboard
from handoff.live import queue_snapshot, ticket_updates
from handoff.models import REASONS, ROLES, STATUSES
from handoff.review import (
    ReviewFilter,
    export_csv,
    export_json,
    find_tickets,
    local_text,
    ticket_dict,
)
from handoff.settings import database_url
from handoff.staff_ops import claim, close, colleagues, reply, transfer, visible_ticket
from handoff.tickets import TicketError
from handoff.traffic import dashboard_context
from knowledge_base.texts import TextLabels, say
from nlu.topics import topic_labels

STATUS_TEXT = TextLabels("console.status", STATUSES)
routes = web.RouteTableDef()


def _config(request: web.Request) -> dict[str, Any]:
    return request.app["handoff_config"]


def _url(request: web.Request) -> str | None:
    return _config(request)["url"]


def _page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    context.update(
        staff=request.get("staff"),
        csrf=request.get("csrf"),
        csrf_field=CSRF_FIELD,
        status_text=STATUS_TEXT,
        reasons=REASONS,
        path=request.path,
    )
    return aiohttp_jinja2.render_template(template, request, context, status=status)


def _ticket_id(request: web.Request) -> int:
    try:
        return int(request.match_info["ticket_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}


# ------------------------------------------------------------------------------ login
@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = _page(request, "login.html", login_csrf=token, error=None)
    _set_login_cookie(request, response, token)
    return response


def _set_login_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=secure_cookies(request, _config(request)["secure_cookies"]),
        path="/login",
    )


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not tokens_match(cookie_token, form.get(CSRF_FIELD)):
        raise web.HTTPForbidden(text="missing or invalid CSRF token")
    username = (form.get("username") or "").strip()[:64]
    password = form.get("password") or ""
    config = _config(request)
    result = await run_sync(
        login,
        username,
        password,
        client_of(request),
        session_minutes=config["session_minutes"],
        now=config["clock"](),
        url=config["url"],
    )
    if result.blocked_until is not None:
        until = local_text(result.blocked_until)
        return _page(
            request,
            "login.html",
            status=429,
            login_csrf=cookie_token,
            error=say("console.login_blocked", until=until),
        )
    if result.token is None:
        return _page(
            request,
            "login.html",
            status=401,
            login_csrf=cookie_token,
            error=say("console.login_failed"),
        )
    response = web.HTTPFound("/queue")
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="Strict",
        secure=secure_cookies(request, config["secure_cookies"]),
        max_age=config["session_minutes"] * 60,
        path="/",
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


@routes.post("/logout")
async def logout_submit(request: web.Request) -> web.StreamResponse:
    await run_sync(logout, request.cookies.get(SESSION_COOKIE), url=_url(request))
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


# ------------------------------------------------------------------------------ queue
@routes.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/queue")


def _queue(url: str | None, staff: StaffView) -> dict[str, Any]:
    with session_scope(database_url(url)) as session:
        return queue_snapshot(session, staff)


@routes.get("/queue")
async def queue_page(request: web.Request) -> web.Response:
    snapshot = await run_sync(_queue, _url(request), request["staff"])
    return _page(request, "queue.html", queue=snapshot)


@routes.get("/api/queue")
async def queue_api(request: web.Request) -> web.Response:
    return web.json_response(await run_sync(_queue, _url(request), request["staff"]))


# ------------------------------------------------------------------------------ one ticket
def _ticket_view(url: str | None, staff: StaffView, ticket_id: int) -> dict[str, Any]:
    """The ticket page's data (TicketError when ``staff`` may not see it); the view is logged."""
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        data = ticket_dict(ticket)
        data["contact_full"] = ticket.contact  # for the call back; shown on this page only
        for line, message in zip(data["transcript"], ticket.messages, strict=True):
            line["local_at"] = local_text(message.at)
        data["created_local"] = local_text(ticket.created_at)
        data["callback_local"] = local_text(ticket.callback_after)
    access_log.record(staff.id, access_log.VIEW, ticket_id, url=url)
    return {
        "ticket": data,
        "colleagues": colleagues(staff, url),
        "held_by_other": ticket_held_by_other(staff, ticket_id, url),
    }


@routes.get("/tickets/{ticket_id}")
async def ticket_page(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    try:
        view = await run_sync(_ticket_view, _url(request), request["staff"], ticket_id)
    except TicketError:
        raise web.HTTPNotFound(text="no such ticket") from None
    return _page(
        request,
        "ticket.html",
        notice=_known(request.query.get("notice", "")),
        error=error_text(request.query.get("error", "")),
        **view,
    )


@routes.get("/api/tickets/{ticket_id}")
async def ticket_api(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        raise web.HTTPBadRequest(text="after must be a number") from None
    try:
        updates = await run_sync(_updates, _url(request), request["staff"], ticket_id, after)
    except TicketError:
        raise web.HTTPNotFound(text="no such ticket") from None
    return web.json_response(updates)


def _updates(url: str | None, staff: StaffView, ticket_id: int, after: int) -> dict[str, Any]:
    with session_scope(database_url(url)) as session:
        return ticket_updates(session, staff, ticket_id, after)


def _known(notice: str) -> str:
    """A notice code from the URL, kept only when it is one of ours."""
    return notice if notice in NOTICE_CODES else ""


def _back(ticket_id: int, *, notice: str = "", error: str = "") -> web.HTTPFound:
    """Back to the ticket page with a notice or an error *code*: the page shows the fixed text
    of a code, never words taken from the URL."""
    query = urlencode({"notice": notice} if notice else {"error": error} if error else {})
    return web.HTTPFound(f"/tickets/{ticket_id}" + (f"?{query}" if query else ""))


async def _claim(staff: StaffView, ticket_id: int, form: dict[str, str], url: str | None) -> str:
    await run_sync(claim, staff, ticket_id, url)
    return "claimed"


async def _reply(staff: StaffView, ticket_id: int, form: dict[str, str], url: str | None) -> str:
    delivered = await reply(staff, ticket_id, form.get("text", ""), url)
    return "sent" if delivered else "undelivered"


async def _transfer(staff: StaffView, ticket_id: int, form: dict[str, str], url: str | None) -> str:
    target = form.get("to", "")
    if target != "queue" and not target.isdigit():
        raise TicketError("choose a colleague or the queue")
    await run_sync(transfer, staff, ticket_id, None if target == "queue" else int(target), url)
    return "transferred"


async def _close(staff: StaffView, ticket_id: int, form: dict[str, str], url: str | None) -> str:
    await close(staff, ticket_id, form.get("note", ""), form.get("tags", ""), url)
    return "closed"


async def _take_over(
    staff: StaffView, ticket_id: int, form: dict[str, str], url: str | None
) -> str:
    await run_sync(take_over, staff, ticket_id, url)
    await run_sync(access_log.record, staff.id, access_log.TAKE_OVER, ticket_id, url=url)
    return "taken_over"


TICKET_ACTIONS = {
    "claim": _claim,
    "reply": _reply,
    "transfer": _transfer,
    "close": _close,
    "take_over": _take_over,
}


@routes.post("/tickets/{ticket_id}/{action}")
async def ticket_action(request: web.Request) -> web.StreamResponse:
    """Claim, reply, transfer or close; a refused request comes back as a message on the
    ticket page (not-found stays a 404, so another center's ticket looks like none)."""
    action = TICKET_ACTIONS.get(request.match_info["action"])
    if action is None:
        raise web.HTTPNotFound()
    ticket_id = _ticket_id(request)
    form = await _form(request)
    try:
        if request.match_info["action"] in HOLDER_ONLY:
            await run_sync(require_holder, request["staff"], ticket_id, _url(request))
        notice = await action(request["staff"], ticket_id, form, _url(request))
    except TicketError as error:
        if str(error) == "no such ticket":
            raise web.HTTPNotFound(text="no such ticket") from None
        raise _back(ticket_id, error=error_code(str(error))) from None
    raise _back(ticket_id, notice=notice)


# ------------------------------------------------------------------------------ review
def _filters(request: web.Request) -> ReviewFilter:
    try:
        return ReviewFilter.from_query(request.query)
    except TicketError as error:
        raise web.HTTPBadRequest(text=str(error)) from None


def _review_rows(url: str | None, review: ReviewFilter, staff: StaffView) -> list[dict[str, Any]]:
    with session_scope(database_url(url)) as session:
        tickets = []
        for found in find_tickets(session, review, staff):
            row = ticket_dict(found)
            row["created_local"] = local_text(found.created_at)
            tickets.append(row)
    return tickets


@routes.get("/review")
async def review_page(request: web.Request) -> web.Response:
    try:
        review = ReviewFilter.from_query(request.query)
        error = ""
    except TicketError as bad:
        review, error = ReviewFilter(), str(bad)
    tickets = await run_sync(_review_rows, _url(request), review, request["staff"])
    return _page(
        request,
        "review.html",
        status=400 if error else 200,
        tickets=tickets,
        review=review,
        query=review.as_query(),
        statuses=STATUSES,
        topic_choices=topic_labels(),
        error=error,
    )


EXPORTS = {
    "json": (export_json, "application/json"),
    "csv": (export_csv, "text/csv"),
}


def _export(url: str | None, review: ReviewFilter, staff: StaffView, kind: str) -> str:
    """The export's text; written to the access log."""
    with session_scope(database_url(url)) as session:
        found = find_tickets(session, review, staff, limit=None)
        body = EXPORTS[kind][0](found)
        count = len(found)
    detail = f"{kind}: {count} ticket(s); {urlencode(review.as_query())}"
    access_log.record(staff.id, access_log.EXPORT, detail=detail, url=url)
    return body


@routes.get("/review/export.{kind}")
async def export_route(request: web.Request) -> web.Response:
    """The filtered tickets with their (masked) transcripts, as a download: admins only, and
    every export is written to the access log."""
    kind = request.match_info["kind"]
    if kind not in EXPORTS:
        raise web.HTTPNotFound()
    content_type = EXPORTS[kind][1]
    review = _filters(request)
    _require_admin(request)
    body = await run_sync(_export, _url(request), review, request["staff"], kind)
    return web.Response(
        text=body,
        content_type=content_type,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="handoff-tickets.{kind}"'},
    )


# ------------------------------------------------------------------------------ dashboard
def _dashboard(url: str | None, staff: StaffView) -> tuple[Any, dict[str, Any]]:
    with session_scope(database_url(url)) as session:
        return build_dashboard(session, staff), dashboard_context(session, staff)


@routes.get("/dashboard")
async def dashboard_page(request: web.Request) -> web.Response:
    board, traffic = await run_sync(_dashboard, _url(request), request["staff"])
    return _page(request, "dashboard.html", board=board, chart=bar_chart_svg(board.days), **traffic)


# ------------------------------------------------------------------------------ staff (admin)
def _require_admin(request: web.Request) -> None:
    if not request["staff"].is_admin:
        raise web.HTTPForbidden(text="administrators only")


@routes.get("/staff")
async def staff_page(request: web.Request) -> web.Response:
    _require_admin(request)
    return _page(
        request,
        "staff.html",
        accounts=await run_sync(list_staff, _url(request), viewer=request["staff"]),
        roles=ROLES,
        notice=_known(request.query.get("notice", "")),
        error="",
    )


@routes.post("/staff")
async def staff_submit(request: web.Request) -> web.StreamResponse:
    _require_admin(request)
    form = await _form(request)
    try:
        await run_sync(
            add_staff,
            form.get("username", "").strip(),
            form.get("password", ""),
            role=form.get("role", "agent"),
            display_name=form.get("display_name") or None,
            center=form.get("center") or None,
            url=_url(request),
            by=request["staff"],
        )
    except AuthError as error:
        return _page(
            request,
            "staff.html",
            status=400,
            accounts=await run_sync(list_staff, _url(request), viewer=request["staff"]),
            roles=ROLES,
            notice="",
            error=str(error),
        )
    raise web.HTTPFound("/staff?notice=created")
