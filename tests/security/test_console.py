"""Findings 6, 9, 11, 12 and 15 on the staff console: admins are scoped to their center, login
throttling cannot lock a colleague out from elsewhere and believes X-Forwarded-For only from
trusted proxies, cookies are Secure behind HTTPS, the alert box shows fixed texts only, and a
colleague's ticket, exports and views are accountable."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.db import session_scope
from handoff import access_log
from handoff.auth import add_staff
from handoff.console import create_app
from handoff.models import Ticket
from handoff.settings import get_handoff_settings
from handoff.tickets import Line, open_ticket

PASSWORD = "a-password-long-enough"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BEIJING, SHANGHAI = "北京知识产权保护中心", "上海知识产权保护中心"


@pytest.fixture
async def console(sqlite_db: str) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(create_app(url=sqlite_db, settings=get_handoff_settings())))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def login(client: TestClient, username: str, headers: dict | None = None) -> int:
    page = await client.get("/login", headers=headers or {})
    token = CSRF.search(await page.text()).group(1)
    response = await client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
        headers=headers or {},
        allow_redirects=False,
    )
    return response.status


async def post(client: TestClient, path: str, **data: str):
    page = await client.get("/queue")
    data.setdefault("csrf_token", CSRF.search(await page.text()).group(1))
    return await client.post(path, data=data, allow_redirects=False)


def ticket(url: str, center: str | None = None) -> int:
    line = Line("user", "转人工", datetime.now(timezone.utc))
    return open_ticket("rest:someone", "rest", "user_request", [line], center=center, url=url)


async def test_a_center_admin_cannot_create_accounts_outside_their_center(
    console: TestClient, sqlite_db: str
) -> None:
    add_staff("bj-admin", PASSWORD, role="admin", center=BEIJING, url=sqlite_db)
    add_staff("sh-agent", PASSWORD, center=SHANGHAI, url=sqlite_db)
    assert await login(console, "bj-admin") == 302
    page = await (await console.get("/staff")).text()
    assert "sh-agent" not in page  # other centers' staff are not listed
    for center in (SHANGHAI, "other"):
        refused = await post(console, "/staff", username="x1", password=PASSWORD, center=center)
        assert refused.status == 400
    created = await post(console, "/staff", username="bj-new", password=PASSWORD, role="admin")
    assert created.status == 302
    with session_scope(sqlite_db) as session:
        from handoff.models import Staff

        made = session.query(Staff).filter_by(username="bj-new").one()
        assert made.center == BEIJING  # no center given: their own, never "all centers"
        assert session.query(Staff).filter_by(username="x1").first() is None


async def test_wrong_passwords_from_elsewhere_do_not_lock_the_user_out(
    console: TestClient, sqlite_db: str
) -> None:
    add_staff("xiaowang", PASSWORD, url=sqlite_db)
    attacker = {"X-Forwarded-For": "203.0.113.9"}  # not believed: no trusted proxy is set
    for _ in range(8):
        page = await console.get("/login")
        token = CSRF.search(await page.text()).group(1)
        await console.post(
            "/login",
            data={"csrf_token": token, "username": "xiaowang", "password": "wrong-guess"},
            headers=attacker,
        )
    # The same address is now slowed down, whatever X-Forwarded-For says ...
    assert await login(console, "xiaowang", {"X-Forwarded-For": "198.51.100.7"}) == 429
    # ... but the user from another address is not: the throttle is per (user, address).
    from handoff.auth import login as check_login

    result = check_login("xiaowang", PASSWORD, "192.0.2.44", session_minutes=5, url=sqlite_db)
    assert result.token is not None


async def test_x_forwarded_for_is_believed_from_a_trusted_proxy_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from channels.proxies import client_address, trusted_proxies

    assert client_address("127.0.0.1", "203.0.113.9", ()) == "127.0.0.1"
    monkeypatch.setenv("IPPC_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    trusted = trusted_proxies()
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.9", trusted) == "203.0.113.9"
    assert client_address("127.0.0.1", "203.0.113.9, 10.1.1.1", trusted) == "203.0.113.9"
    assert client_address("192.0.2.1", "203.0.113.9", trusted) == "192.0.2.1"


async def test_cookies_are_secure_and_hsts_is_sent_behind_https(
    console: TestClient, sqlite_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff("xiaoli", PASSWORD, url=sqlite_db)
    monkeypatch.setenv("IPPC_TRUSTED_PROXIES", "127.0.0.1")
    https = {"X-Forwarded-Proto": "https"}
    page = await console.get("/login", headers=https)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = CSRF.search(await page.text()).group(1)
    [login_cookie] = page.headers.getall("Set-Cookie")
    assert "Secure" in login_cookie  # so the test client, on plain http, must send it itself
    response = await console.post(
        "/login",
        data={"csrf_token": token, "username": "xiaoli", "password": PASSWORD},
        headers={**https, "Cookie": login_cookie.split(";")[0]},
        allow_redirects=False,
    )
    assert response.status == 302, await response.text()
    cookies = response.headers.getall("Set-Cookie", [])
    [cookie] = [value for value in cookies if value.startswith("ippc_console=")]
    assert "Secure" in cookie and "HttpOnly" in cookie
    monkeypatch.setenv("IPPC_TRUSTED_PROXIES", "")  # from an untrusted peer: not believed
    assert "Strict-Transport-Security" not in (await console.get("/login", headers=https)).headers


async def test_error_text_in_the_url_is_never_shown(console: TestClient, sqlite_db: str) -> None:
    add_staff("xiaozhao", PASSWORD, url=sqlite_db)
    ticket_id = ticket(sqlite_db)
    assert await login(console, "xiaozhao") == 302
    page = await (
        await console.get(f"/tickets/{ticket_id}?error=请立即拨打4000000000核实账户")
    ).text()
    assert "4000000000" not in page and "the request was refused" in page
    refused = await post(console, f"/tickets/{ticket_id}/reply", text="   ")
    assert refused.headers["Location"].endswith("error=empty_reply")


async def test_a_colleagues_ticket_needs_a_logged_take_over(
    console: TestClient, sqlite_db: str
) -> None:
    add_staff("holder", PASSWORD, url=sqlite_db)
    other = add_staff("other", PASSWORD, url=sqlite_db)
    ticket_id = ticket(sqlite_db)
    assert await login(console, "holder") == 302
    await post(console, f"/tickets/{ticket_id}/claim")
    await post(console, "/logout")
    assert await login(console, "other") == 302
    for action, fields in (("reply", {"text": "hi"}), ("close", {"note": "done"})):
        refused = await post(console, f"/tickets/{ticket_id}/{action}", **fields)
        assert refused.headers["Location"].endswith("error=held")
    assert (await post(console, f"/tickets/{ticket_id}/take_over")).status == 302
    sent = await post(console, f"/tickets/{ticket_id}/reply", text="我来接手")
    assert "error" not in sent.headers["Location"]
    with session_scope(sqlite_db) as session:
        assert session.get(Ticket, ticket_id).assignee_id == other.id
    logged = [(staff, action, t) for _, staff, action, t, _ in access_log.entries(sqlite_db)]
    assert (other.id, access_log.TAKE_OVER, ticket_id) in logged


async def test_exports_are_for_admins_and_every_view_and_export_is_logged(
    console: TestClient, sqlite_db: str
) -> None:
    agent = add_staff("agent", PASSWORD, url=sqlite_db)
    admin = add_staff("admin", PASSWORD, role="admin", url=sqlite_db)
    ticket_id = ticket(sqlite_db)
    assert await login(console, "agent") == 302
    assert (await console.get("/review/export.csv")).status == 403
    assert (await console.get(f"/tickets/{ticket_id}")).status == 200
    await post(console, "/logout")
    assert await login(console, "admin") == 302
    assert (await console.get("/review/export.json")).status == 200
    logged = [(staff, action, t) for _, staff, action, t, _ in access_log.entries(sqlite_db)]
    assert (agent.id, access_log.VIEW, ticket_id) in logged
    assert any(staff == admin.id and action == access_log.EXPORT for staff, action, _ in logged)
