"""The staff console over HTTP (aiohttp's test server, the real database): authentication,
CSRF, throttling, the ticket actions with delivery through channels.push, review, export,
dashboard and center separation."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient

from channels.push import pending_messages
from core.clock import utc_now
from core.db import session_scope
from handoff.console.security import PUBLIC
from handoff.console.views import TICKET_ACTIONS
from handoff.models import Ticket
from handoff.settings import get_handoff_settings
from handoff.tickets import conversation_state
from tests.handoff.conftest import PASSWORD, Clock

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    page = await client.get("/login")
    token = CSRF.search(await page.text()).group(1)
    response = await client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
    )
    return response.status


async def csrf_of(client: TestClient, path: str = "/queue") -> str:
    page = await client.get(path)
    assert page.status == 200, await page.text()
    return CSRF.search(await page.text()).group(1)


async def post(client: TestClient, path: str, **data: str) -> web.Response:
    data.setdefault("csrf_token", await csrf_of(client))
    return await client.post(path, data=data, allow_redirects=False)


def _ticket(url: str, ticket_id: int) -> Ticket:
    with session_scope(url) as session:
        ticket = session.get(Ticket, ticket_id)
        _ = ticket.messages, ticket.assignee
        return ticket


async def test_every_route_refuses_anonymous_requests(console: TestClient) -> None:
    fill = {"{ticket_id}": "1", "{action}": "claim", "{kind}": "json", "{name}": "console.js"}
    checked = 0
    for route in console.app.router.routes():
        path = route.resource.canonical
        for placeholder, value in fill.items():
            path = path.replace(placeholder, value)
        if (route.method, path) in PUBLIC or route.method == "HEAD":
            continue
        response = await console.request(route.method, path, allow_redirects=False)
        body = await response.text()
        assert response.status in (302, 401), (route.method, path, response.status)
        if response.status == 302:
            assert response.headers["Location"] == "/login"
        assert "对话记录" not in body and "transcript" not in body
        checked += 1
    assert checked >= 11
    for action in TICKET_ACTIONS:
        response = await console.post(f"/tickets/1/{action}", data={"text": "x"})
        assert response.status == 401


async def test_forms_without_a_valid_csrf_token_are_refused(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    make_staff("agent1")
    ticket_id = make_ticket()
    page = await console.get("/login")
    assert "csrf_token" in await page.text()
    no_token = await console.post(
        "/login", data={"username": "agent1", "password": PASSWORD}, allow_redirects=False
    )
    assert no_token.status == 403
    assert await login(console, "agent1") == 302
    for data in ({}, {"csrf_token": "forged"}):
        response = await console.post(f"/tickets/{ticket_id}/claim", data=data)
        assert response.status == 403
    foreign = await console.post(
        f"/tickets/{ticket_id}/claim",
        data={"csrf_token": await csrf_of(console)},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403
    assert _ticket(handoff_db, ticket_id).status == "waiting"
    ok = await post(console, f"/tickets/{ticket_id}/claim")
    assert ok.status == 302
    assert _ticket(handoff_db, ticket_id).status == "active"


async def test_five_wrong_passwords_slow_further_attempts(
    console: TestClient, make_staff, clock: Clock
) -> None:
    make_staff("agent2")
    for _ in range(5):
        assert await login(console, "agent2", "wrong password!") == 401
    assert await login(console, "agent2") == 429  # even the right password, for now
    clock.now += timedelta(seconds=31)
    assert await login(console, "agent2", "still wrong") == 401
    assert await login(console, "agent2") == 429  # the block doubled: 60 s
    clock.now += timedelta(seconds=61)
    assert await login(console, "agent2") == 302
    assert (await console.get("/queue")).status == 200


async def test_sessions_expire_and_logout_ends_them(
    console: TestClient, make_staff, clock: Clock
) -> None:
    make_staff("agent3")
    assert await login(console, "agent3") == 302
    assert (await console.get("/api/queue")).status == 200
    clock.now += timedelta(minutes=get_handoff_settings().session_minutes + 1)
    assert (await console.get("/api/queue")).status == 401
    clock.now = utc_now()
    assert await login(console, "agent3") == 302
    assert (await post(console, "/logout")).status == 302
    assert (await console.get("/api/queue", allow_redirects=False)).status == 401


async def test_claim_reply_close_reaches_the_user_and_asks_for_a_rating(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    make_staff("agent4")
    ticket_id = make_ticket("rest:user-1", words=("转人工", "我的电话13812345678"))
    assert await login(console, "agent4") == 302
    queue = await (await console.get("/api/queue")).json()
    assert [row["id"] for row in queue["waiting"]] == [ticket_id]
    assert queue["waiting"][0]["last_message"] == "我的电话138****5678"

    assert (await post(console, f"/tickets/{ticket_id}/claim")).status == 302
    reply = await post(console, f"/tickets/{ticket_id}/reply", text="您好，我是客服小王。")
    assert reply.headers["Location"].endswith("notice=sent")
    assert pending_messages("rest:user-1") == [{"text": "【人工客服】您好，我是客服小王。"}]

    page = await (await console.get(f"/tickets/{ticket_id}")).text()
    assert "我的电话138****5678" in page and "13812345678" not in page
    assert "您好，我是客服小王。" in page

    closed = await post(
        console, f"/tickets/{ticket_id}/close", note="已解答预审问题", tags="预审, 已解决"
    )
    assert closed.headers["Location"].endswith("notice=closed")
    ticket = _ticket(handoff_db, ticket_id)
    assert (ticket.status, ticket.resolution_note, ticket.tag_list) == (
        "closed",
        "已解答预审问题",
        ["预审", "已解决"],
    )
    assert ticket.assignee.username == "agent4"
    closing = pending_messages("rest:user-1")
    assert "智能助手已恢复" in closing[0]["text"]
    assert [b["payload"] for b in closing[1]["buttons"]] == ["5", "4", "3", "2", "1"]
    assert conversation_state("rest:user-1", 60, handoff_db) == "rating"
    assert (
        (await post(console, f"/tickets/{ticket_id}/reply", text="再说一句"))
        .headers["Location"]
        .startswith(f"/tickets/{ticket_id}?error=")
    )


async def test_bad_input_is_refused_and_loses_nothing(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    make_staff("agent5")
    ticket_id = make_ticket()
    assert await login(console, "agent5") == 302
    empty = await post(console, f"/tickets/{ticket_id}/reply", text="   ")
    assert "error=" in empty.headers["Location"]
    no_note = await post(console, f"/tickets/{ticket_id}/close", note="", tags="x")
    assert "error=" in no_note.headers["Location"]
    bad_tags = await post(console, f"/tickets/{ticket_id}/close", note="ok", tags="<script>")
    assert "error=" in bad_tags.headers["Location"]
    ticket = _ticket(handoff_db, ticket_id)
    assert ticket.status == "waiting" and len(ticket.messages) == 1
    assert (await console.get("/tickets/abc")).status == 404
    assert (await console.get("/tickets/999999")).status == 404
    assert (await console.get("/review/export.csv?date_from=yesterday")).status == 400
    assert (await console.get("/review?date_from=2026-02-02&date_to=2026-01-01")).status == 400
    assert (await console.get("/api/tickets/1?after=x")).status == 400


async def test_transfer_to_a_colleague_and_back_to_the_queue(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    make_staff("agent6")
    colleague = make_staff("agent7")
    ticket_id = make_ticket()
    assert await login(console, "agent6") == 302
    await post(console, f"/tickets/{ticket_id}/claim")
    await post(console, f"/tickets/{ticket_id}/transfer", to=str(colleague.id))
    assert _ticket(handoff_db, ticket_id).assignee.username == "agent7"
    await post(console, f"/tickets/{ticket_id}/take_over")  # agent7 holds it now
    await post(console, f"/tickets/{ticket_id}/transfer", to="queue")
    ticket = _ticket(handoff_db, ticket_id)
    assert (ticket.status, ticket.assignee_id) == ("waiting", None)


async def test_an_agent_cannot_read_another_centers_tickets(
    console: TestClient, make_staff, make_ticket
) -> None:
    make_staff("beijing", role="admin", center="北京知识产权保护中心")  # exports: admins only
    ours = make_ticket(center="北京知识产权保护中心", words=("北京的问题",))
    theirs = make_ticket(center="上海知识产权保护中心", words=("上海的秘密",))
    assert await login(console, "beijing") == 302
    queue = await (await console.get("/api/queue")).json()
    assert [row["id"] for row in queue["waiting"]] == [ours]
    assert (await console.get(f"/tickets/{theirs}")).status == 404
    assert (await console.get(f"/api/tickets/{theirs}")).status == 404
    assert (await post(console, f"/tickets/{theirs}/claim")).status == 404
    assert (await post(console, f"/tickets/{theirs}/reply", text="hi")).status == 404
    exported = await (await console.get("/review/export.json")).text()
    assert "北京的问题" in exported and "上海的秘密" not in exported
    review = await (await console.get("/review?keyword=秘密")).text()
    assert "上海的秘密" not in review


async def test_review_filters_and_exports(console: TestClient, make_staff, make_ticket) -> None:
    make_staff("agent8", role="admin")  # exports: admins only
    make_ticket(
        words=("预审怎么收费", "身份证110101199003071234"), channel="webchat", topic="fasttrack_fee"
    )
    make_ticket(
        '=HYPERLINK("http://x")',
        words=("别人抄袭", "=1+2"),
        channel="telegram",
        topic="dispute_routes",
    )
    assert await login(console, "agent8") == 302

    by_channel = await (await console.get("/review?channel=webchat")).text()
    assert "预审怎么收费" in by_channel and "别人抄袭" not in by_channel
    by_topic = await (await console.get("/review?topic=dispute_routes")).text()
    assert "别人抄袭" in by_topic and "预审怎么收费" not in by_topic
    by_keyword = await (await console.get("/review?keyword=收费&status=waiting")).text()
    assert "预审怎么收费" in by_keyword
    assert "没有符合条件的记录" in await (await console.get("/review?status=closed")).text()
    today = datetime.now().date()
    future = (today + timedelta(days=3)).isoformat()
    assert "没有符合条件" in await (await console.get(f"/review?date_from={future}")).text()

    response = await console.get("/review/export.json?channel=webchat")
    assert response.headers["Content-Disposition"].endswith('handoff-tickets.json"')
    tickets = json.loads(await response.text())
    assert len(tickets) == 1
    texts = [line["text"] for line in tickets[0]["transcript"]]
    assert texts == ["预审怎么收费", "身份证110***********1234"]

    csv_text = await (await console.get("/review/export.csv")).text()
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert len(rows) == 2
    assert "19900307" not in csv_text
    formula = next(row for row in rows if "HYPERLINK" in row["conversation_id"])
    assert formula["conversation_id"].startswith("'=")  # not run as a spreadsheet formula


async def test_dashboard_shows_figures_and_a_chart(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    make_staff("agent9")
    first = make_ticket(topic="fasttrack_fee")
    make_ticket(topic="fasttrack_fee")
    make_ticket(topic="dispute_routes")
    with session_scope(handoff_db) as session:
        ticket = session.get(Ticket, first)
        ticket.status, ticket.claimed_at = "closed", ticket.created_at + timedelta(minutes=4)
        ticket.closed_at, ticket.rating = ticket.claimed_at, 5
    assert await login(console, "agent9") == 302
    page = await (await console.get("/dashboard")).text()
    assert "<svg" in page and "每日工单数" in page
    assert re.search(r'id="total-tickets">3<', page)
    assert re.search(r'id="median-wait">4.0<', page)
    assert re.search(r'id="average-rating">5.0<', page)
    topics = page[page.index('id="topics"') :]
    # Chinese labels, not intent names
    assert topics.index("预审或快速通道是否收费") < topics.index("被侵权或被控侵权怎么办")


async def test_only_admins_manage_accounts(console: TestClient, make_staff) -> None:
    make_staff("agent10")
    make_staff("boss", role="admin")
    assert await login(console, "agent10") == 302
    assert (await console.get("/staff")).status == 403
    await post(console, "/logout")
    assert await login(console, "boss") == 302
    weak = await post(
        console,
        "/staff",
        csrf_token=await csrf_of(console, "/staff"),
        username="new1",
        password="short",
    )
    assert weak.status == 400
    created = await post(
        console,
        "/staff",
        csrf_token=await csrf_of(console, "/staff"),
        username="new1",
        password="a long enough password",
        role="agent",
    )
    assert created.status == 302
    await post(console, "/logout")
    assert await login(console, "new1", "a long enough password") == 302
