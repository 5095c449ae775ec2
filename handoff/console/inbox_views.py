"""Console pages of the inbox ("待改进问题"), drafted answers, flagging a transcript line and
the dashboard's traffic CSV. Authentication, CSRF and headers come from the console's
middlewares like every other route; admin-only actions check the role here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from core.db import session_scope
from handoff.console.views import _form, _page, _url
from handoff.inbox import (
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
MAX_ROWS_SHOWN = 100
NOTICES = ("labelled", "dismissed", "drafted", "approved")


def _notice(request: web.Request) -> str:
    """A notice key (the template words it), or "" for anything else."""
    notice = request.query.get("notice", "")
    return notice if notice in NOTICES else ""


@inbox_routes.get("/inbox")
async def inbox_page(request: web.Request) -> web.Response:
    status = request.query.get("status", "open")
    if status not in INBOX_STATUSES:
        raise web.HTTPBadRequest(text="unknown inbox status")
    with session_scope(database_url(_url(request))) as session:
        rows = inbox_rows(session, request["staff"], status)
        tab_counts = counts(session, request["staff"])
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
        error=request.query.get("error", ""),
    )


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
        with session_scope(database_url(_url(request))) as session:
            staff = request["staff"]
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
                raise TicketError("unknown action")
    except TicketError as error:
        raise _back("/inbox", status, error=str(error)) from None
    raise _back("/inbox", status, notice=notice)


@inbox_routes.get("/inbox/drafts")
async def drafts_page(request: web.Request) -> web.Response:
    with session_scope(database_url(_url(request))) as session:
        drafts = list_drafts(session, request["staff"])
    return _page(
        request,
        "drafts.html",
        drafts=drafts,
        notice=_notice(request),
        error=request.query.get("error", ""),
    )


@inbox_routes.post("/inbox/drafts/{draft_id:\\d+}/approve")
async def approve(request: web.Request) -> web.StreamResponse:
    if not request["staff"].is_admin:
        raise web.HTTPForbidden(text="administrators only")
    try:
        with session_scope(database_url(_url(request))) as session:
            approve_draft(session, request["staff"], int(request.match_info["draft_id"]))
    except TicketError as error:
        if str(error) == "no such draft":
            raise web.HTTPNotFound(text="no such draft") from None
        raise web.HTTPFound("/inbox/drafts?" + urlencode({"error": str(error)})) from None
    raise web.HTTPFound("/inbox/drafts?notice=approved")


@inbox_routes.post("/inbox/flag")
async def flag(request: web.Request) -> web.StreamResponse:
    """Staff flag a user message of a transcript: it joins the inbox."""
    form = await _form(request)
    ticket, message = form.get("ticket_id", ""), form.get("message_id", "")
    if not (ticket.isdigit() and message.isdigit()):
        raise web.HTTPBadRequest(text="ticket_id and message_id must be numbers")
    try:
        with session_scope(database_url(_url(request))) as session:
            flag_message(session, request["staff"], int(ticket), int(message))
    except TicketError as error:
        if str(error) == "no such ticket":
            raise web.HTTPNotFound(text="no such ticket") from None
        raise web.HTTPFound(f"/tickets/{ticket}?" + urlencode({"error": str(error)})) from None
    raise web.HTTPFound(f"/tickets/{ticket}?notice=flagged")


@inbox_routes.get("/dashboard/traffic.csv")
async def traffic_download(request: web.Request) -> web.Response:
    if not request["staff"].is_admin:
        raise web.HTTPForbidden(text="administrators only")
    with session_scope(database_url(_url(request))) as session:
        body = traffic_csv(build_traffic(session, request["staff"]))
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="ippc-traffic.csv"'},
    )
