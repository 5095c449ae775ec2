"""The inbox, drafts, flagging and the traffic dashboard in Chromium (Playwright), on SQLite
and PostgreSQL; the login page and the console's pages at a laptop (1280×800) and a phone
(390×844) size, with screenshots in test-artifacts/ and no sideways scrolling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.migrate import upgrade
from handoff.auth import add_staff
from handoff.missed import Miss, Turn, add_traffic, local_day, record
from handoff.tickets import Line, open_ticket
from runtime.processes import unused_port
from tests.handoff.test_console_browser import CHROMIUM, CHROMIUM_ARGS, START_SECONDS

pytestmark = pytest.mark.browser

PASSWORD = "inbox browser password"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CENTER = "示例知识产权保护中心"
# Made-up missed messages: one question asked four ways, two others.
MISSED = [
    ("预审通过以后多久能拿到授权", "nlu_fallback", "fasttrack_process", 0.31, "webchat"),
    ("预审通过后授权要等多久", "nlu_fallback", "fasttrack_process", 0.35, "wechat"),
    ("预审合格后多久能授权", "fasttrack_process/steps", "fasttrack_process", 0.42, "webchat"),
    ("预审通过了多久授权呢", "nlu_fallback", "fasttrack_process", 0.28, "telegram"),
    ("商标怎么注册", "nlu_fallback", "out_of_scope", 0.33, "webchat"),
    ("你们那边停车方便吗 电话13912345678", "center_contact", "center_contact", 0.44, "rest"),
]


def _seed(url: str) -> None:
    now = datetime.now(timezone.utc)
    record(
        [
            Miss(
                f"web-{i}",
                channel,
                Turn(text, now - timedelta(days=i, minutes=i), intent, topic, confidence),
                ("fallback",) if intent == "nlu_fallback" else ("low_confidence",),
                context=(("user", "你好"), ("bot", "您好！请问有什么可以帮您？")),
                center=CENTER,
            )
            for i, (text, intent, topic, confidence, channel) in enumerate(MISSED)
        ],
        url,
    )
    traffic = {}
    for days_ago in range(10):
        for channel, conversations in (("webchat", 12), ("wechat", 7), ("telegram", 3)):
            count = Counter(
                conversations=conversations + days_ago % 3,
                messages=4 * conversations,
                fallbacks=conversations // 2 + days_ago % 2,
            )
            traffic[(local_day(now - timedelta(days=days_ago)), channel, CENTER)] = count
    add_traffic(traffic, url)
    for index, channel in enumerate(["webchat", "wechat", "webchat"]):
        open_ticket(
            f"t-{index}",
            channel,
            "user_request",
            [Line("user", "预审要收费吗", now, "fasttrack_fee", "fasttrack_fee", 0.9)],
            center=CENTER,
            topic="fasttrack_fee",
            url=url,
        )


@pytest.fixture
def inbox_console(database_url: str, tmp_path: Path) -> Iterator[str]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Debian's chromium is not installed")
    upgrade(database_url)
    add_staff("admin1", PASSWORD, role="admin", display_name="王主任", url=database_url)
    _seed(database_url)
    port = unused_port()
    env = {**os.environ, "IPPC_DATABASE_URL": database_url, "IPPC_CONSOLE_PORT": str(port)}
    log_path = tmp_path / "console.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "handoff.console"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(base + "/login", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("console did not start: " + log_path.read_text())
            time.sleep(0.3)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]


def _fits(page) -> None:
    """Nothing wider than the screen (no sideways scrolling of the whole page)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - screen.width")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def test_inbox_dashboard_and_layout_in_chromium(
    inbox_console: str, artifacts_dir: Path, database_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    backend = "postgres" if database_url.startswith("postgresql") else "sqlite"
    shots = backend == "sqlite"  # one set of screenshots is enough
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        errors: list[str] = []

        # Phone first: the login page, logged in by keyboard only.
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = phone.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(inbox_console + "/login")
        _fits(page)
        if shots:
            page.screenshot(path=str(artifacts_dir / "console-login-phone.png"), full_page=True)
        page.keyboard.type("admin1")  # the user name field has the focus
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page).to_have_url(inbox_console + "/queue")
        for path in ("/queue", "/inbox", "/inbox/drafts", "/dashboard", "/review", "/tickets/1"):
            page.goto(inbox_console + path)
            _fits(page)
        page.goto(inbox_console + "/inbox")
        if shots:
            page.screenshot(path=str(artifacts_dir / "console-inbox-phone.png"), full_page=True)
        page.goto(inbox_console + "/dashboard")
        if shots:
            page.screenshot(path=str(artifacts_dir / "console-dashboard-phone.png"))
        phone.close()

        laptop = browser.new_context(viewport=LAPTOP, locale="zh-CN", accept_downloads=True)
        page = laptop.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(inbox_console + "/login")
        _fits(page)
        if shots:
            page.screenshot(path=str(artifacts_dir / "console-login.png"))
        page.get_by_label("用户名").fill("admin1")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

        # The inbox: the question asked four ways is one row, with its figures.
        page.get_by_role("link", name="待改进问题").click()
        expect(page).to_have_url(inbox_console + "/inbox")
        rows = page.locator("article.inbox-row")
        expect(rows).to_have_count(3)
        first = rows.first
        expect(first.locator("h2")).to_contain_text("4×")
        expect(first.locator(".predicted")).to_contain_text("预审流程、时限")
        expect(first).to_contain_text("webchat 2")
        expect(page.locator("body")).not_to_contain_text("13912345678")
        expect(page.locator("body")).to_contain_text("139****5678")
        first.locator("summary").first.focus()
        page.keyboard.press("Enter")  # open the originals by keyboard
        expect(first.locator("input[name=id]")).to_have_count(4)
        if shots:
            page.screenshot(path=str(artifacts_dir / "console-inbox.png"), full_page=True)

        # Label the whole row with the keyboard: pick the answer, then Enter on the button.
        first.locator("select.label-topic").select_option("fasttrack_process/grant_time")
        first.locator("button.do-label").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".notice")).to_contain_text("已标注")
        expect(rows).to_have_count(2)
        page.get_by_role("link", name="已标注（4）").click()
        expect(page.locator("article.inbox-row")).to_have_count(1)

        # One message of another row: untick the rest, draft a new answer.
        page.goto(inbox_console + "/inbox")
        trademark = page.locator("article.inbox-row", has_text="商标怎么注册")
        trademark.locator("details.draft summary").focus()
        page.keyboard.press("Enter")
        trademark.get_by_label("答案所属话题").select_option("out_of_scope")
        trademark.get_by_label("答案草稿").fill("商标注册请向国家知识产权局商标局提出申请。")
        trademark.get_by_label("来源（文件、网址或负责部门）").fill("国家知识产权局商标局网站")
        trademark.get_by_role("button", name="提交草稿").click()
        expect(page.locator(".notice")).to_contain_text("等待管理员审核")
        page.get_by_role("link", name="答案草稿").click()
        draft = page.locator("#drafts tbody tr").first
        expect(draft).to_contain_text("商标局")
        expect(draft).to_contain_text("与知识产权保护中心业务无关的话题")
        draft.get_by_role("button", name="批准发布").click()
        expect(page.locator("#drafts tbody tr").first).to_contain_text("已批准")

        # Dismiss the last row.
        page.goto(inbox_console + "/inbox")
        page.locator("article.inbox-row button.do-dismiss").first.click()
        expect(page.locator("#inbox-empty")).to_be_visible()

        # Flag a line of a ticket's transcript: it comes back to the inbox.
        page.get_by_role("link", name="排队队列").click()
        queue_row = page.locator("#waiting tbody tr").first
        expect(queue_row).to_contain_text("预审或快速通道是否收费")  # label, not the code
        queue_row.get_by_role("link").click()
        page.get_by_role("button", name="标记为待改进：预审要收费吗").click()
        expect(page.locator(".notice")).to_contain_text("已加入待改进问题")
        page.get_by_role("link", name="待改进问题").click()
        expect(page.locator("article.inbox-row")).to_have_count(1)
        expect(page.locator("article.inbox-row")).to_contain_text("客服标记")

        # The dashboard: per-day, per-channel charts and the admin's CSV.
        page.get_by_role("link", name="统计").click()
        for chart in ("conversations", "fallback", "handoff", "rating", "missed"):
            expect(page.locator(f"svg#chart-{chart}")).to_be_visible()
        expect(page.locator("#chart-conversations")).to_contain_text("telegram")
        expect(page.locator("#total-conversations")).not_to_have_text("0")
        with page.expect_download() as download:
            page.locator("#traffic-csv").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert exported.startswith("day,channel,conversations")
        assert "预审流程、时限" in exported and "fasttrack_process" in exported
        _fits(page)
        if shots:
            page.screenshot(
                path=str(artifacts_dir / "console-dashboard-traffic.png"), full_page=True
            )

        assert errors == []
        browser.close()
