"""Console pages of the inbox ("待改进问题"), drafted answers, flagging a transcript line and
the dashboard's traffic CSV. Authentication, CSRF and headers come from the console's
middlewares like every other route; admin-only actions check the role here. The database
work of each route runs in a worker thread (``core.db.run_sync``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from core.db import run_sync, session_scope
from handoff import access_log
from handoff.auth import StaffView
from handoff.console.accountability import error_code
from handoff.console.views import _form, _page, _url
from handoff.inbox import (
    InboxError,
    approve_draft,
    counts,
    dismiss_messages,
    draft_answer,
    flag_message,
    inbox_rows,
    label_choices,
    label_messages,
    list_drafts,
    parse_ids,
)
from handoff.models import INBOX_STATUSES, MISS_REASONS
from handoff.settings import database_url
from handoff.tickets import TicketError
from handoff.traffic import build_traffic, traffic_csv
from nlu.topics import topic_labels

inbox_routes = web.RouteTableDef()
# Access-log action of a change staff made in the inbox (labels, drafts, approvals).
INBOX_CHANGE = "inbox"
MAX_ROWS_SHOWN = 100
NOTICES = ("labelled", "dismissed", "drafted", "approved")
ERROR_CODES = (
    "topic", "ids", "no_ids", "not_found", "draft_text", "draft_source", "admin", "action"
)  # fmt: skip


def _notice(request: web.Request) -> str:
    """A notice key (the template words it), or "" for anything else."""
    notice = request.query.get("notice", "")
    return notice if notice in NOTICES else ""


def _inbox(url: str | None, staff: StaffView, status: str) -> tuple[list[Any], dict[str, int]]:
    """(the rows of the tab, the count of each tab); the view is logged."""
    with session_scope(database_url(url)) as session:
        rows = inbox_rows(session, staff, status)
        tab_counts = counts(session, staff)
    access_log.record(staff.id, access_log.VIEW, detail=f"inbox {status}", url=url)
    return rows, tab_counts


@inbox_routes.get("/inbox")
async def inbox_page(request: web.Request) -> web.Response:
    status = request.query.get("status", "open")
    if status not in INBOX_STATUSES:
        raise web.HTTPBadRequest(text="unknown inbox status")
    rows, tab_counts = await run_sync(_inbox, _url(request), request["staff"], status)
    return _page(
        request,
        "inbox.html",
        rows=rows[:MAX_ROWS_SHOWN],
        hidden_rows=max(0, len(rows) - MAX_ROWS_SHOWN),
        tab=status,
        tabs=INBOX_STATUSES,
        tab_counts=tab_counts,
        choices=label_choices(),
        topics=topic_labels(),
        miss_reasons=MISS_REASONS,
        notice=_notice(request),
        error=_error(request),
    )


def _error(request: web.Request) -> str:
    """An error code from the URL (the template words it), "refused" for anything unknown."""
    code = request.query.get("error", "")
    return code if code in ERROR_CODES else "refused" if code else ""


def _back(path: str, status: str, **query: str) -> web.HTTPFound:
    query = {"status": status, **{k: v for k, v in query.items() if v}}
    return web.HTTPFound(f"{path}?{urlencode(query)}")


@inbox_routes.post("/inbox/act")
async def inbox_act(request: web.Request) -> web.StreamResponse:
    """One form per row: label, dismiss or draft an answer for the ticked messages."""
    form = await request.post()
    fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    status = fields.get("status") if fields.get("status") in INBOX_STATUSES else "open"
    ids = [v for v in form.getall("id", []) if isinstance(v, str)]
    action = fields.get("action", "")
    try:
        message_ids = parse_ids(ids)
        notice = await run_sync(_act, _url(request), request["staff"], action, message_ids, fields)
    except InboxError as error:
        raise _back("/inbox", status, error=error.code) from None
    raise _back("/inbox", status, notice=notice)


def _act(
    url: str | None, staff: StaffView, action: str, message_ids: list[int], fields: dict[str, Any]
) -> str:
    """Label, dismiss or draft (InboxError when refused); the change is logged. The notice."""
    with session_scope(database_url(url)) as session:
        if action == "label":
            label_messages(session, staff, message_ids, fields.get("topic", ""))
            notice = "labelled"
        elif action == "dismiss":
            dismiss_messages(session, staff, message_ids)
            notice = "dismissed"
        elif action == "draft":
            draft_answer(
                session,
                staff,
                message_ids,
                fields.get("draft_topic", ""),
                fields.get("draft_text", ""),
                fields.get("draft_source", ""),
            )
            notice = "drafted"
        else:
            raise InboxError("action", "unknown action")
    detail = f"inbox {action} {','.join(str(i) for i in message_ids)}"
    access_log.record(staff.id, INBOX_CHANGE, detail=detail, url=url)
    return notice


def _drafts(url: str | None, staff: StaffView) -> list[Any]:
    with session_scope(database_url(url)) as session:
        return list_drafts(session, staff)


@inbox_routes.get("/inbox/drafts")
async def drafts_page(request: web.Request) -> web.Response:
    drafts = await run_sync(_drafts, _url(request), request["staff"])
    return _page(
        request,
        "drafts.html",
        drafts=drafts,
        notice=_notice(request),
        error=_error(request),
    )


def _approve(url: str | None, staff: StaffView, draft_id: int) -> None:
    with session_scope(database_url(url)) as session:
        approve_draft(session, staff, draft_id)
    access_log.record(staff.id, INBOX_CHANGE, detail=f"draft {draft_id} approved", url=url)


@inbox_routes.post("/inbox/drafts/{draft_id:\\d+}/approve")
async def approve(request: web.Request) -> web.StreamResponse:
    if not request["staff"].is_admin:
        raise web.HTTPForbidden(text="administrators only")
    draft_id = int(request.match_info["draft_id"])
    try:
        await run_sync(_approve, _url(request), request["staff"], draft_id)
    except InboxError as error:
        if error.code == "no_draft":
            raise web.HTTPNotFound(text="no such draft") from None
        raise web.HTTPFound("/inbox/drafts?" + urlencode({"error": error.code})) from None
    raise web.HTTPFound("/inbox/drafts?notice=approved")


@inbox_routes.post("/inbox/flag")
async def flag(request: web.Request) -> web.StreamResponse:
    """Staff flag a user message of a transcript: it joins the inbox."""
    form = await _form(request)
    ticket, message = form.get("ticket_id", ""), form.get("message_id", "")
    if not (ticket.isdigit() and message.isdigit()):
        raise web.HTTPBadRequest(text="ticket_id and message_id must be numbers")
    try:
        await run_sync(_flag, _url(request), request["staff"], int(ticket), int(message))
    except TicketError as error:
        if str(error) == "no such ticket":
            raise web.HTTPNotFound(text="no such ticket") from None
        raise web.HTTPFound(
            f"/tickets/{ticket}?" + urlencode({"error": error_code(str(error))})
        ) from None
    raise web.HTTPFound(f"/tickets/{ticket}?notice=flagged")


def _flag(url: str | None, staff: StaffView, ticket_id: int, message_id: int) -> None:
    with session_scope(database_url(url)) as session:
        flag_message(session, staff, ticket_id, message_id)
    access_log.record(staff.id, INBOX_CHANGE, ticket_id, f"flagged line {message_id}", url)


def _traffic_csv(url: str | None, staff: StaffView) -> str:
    with session_scope(database_url(url)) as session:
        body = traffic_csv(build_traffic(session, staff))
    access_log.record(staff.id, access_log.EXPORT, detail="traffic.csv", url=url)
    return body


@inbox_routes.get("/dashboard/traffic.csv")
async def traffic_download(request: web.Request) -> web.Response:
    if not request["staff"].is_admin:
        raise web.HTTPForbidden(text="administrators only")
    body = await run_sync(_traffic_csv, _url(request), request["staff"])
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="ippc-traffic.csv"'},
    )
