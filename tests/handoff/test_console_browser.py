"""The staff console in a real browser: Debian's chromium driven by Playwright. Log in, see
the queue update live, claim, reply, watch a user message arrive, close, filter, export,
and the dashboard. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.db import session_scope
from core.migrate import upgrade
from handoff.auth import add_staff
from handoff.models import Ticket
from handoff.tickets import Line, add_line, open_ticket
from runtime.processes import unused_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser test password"
START_SECONDS = 60


def _seed(url: str) -> None:
    """Past tickets for the review and the dashboard, and one user already waiting."""
    now = datetime.now(timezone.utc)
    samples = [
        ("web-1001", "webchat", "fasttrack_fee", ["预审收费吗", "转人工"], 5),
        ("tg-1002", "telegram", "dispute_routes", ["对方抄袭我的外观设计怎么办", "找真人"], 4),
        ("rest-1003", "rest", "fasttrack_fee", ["我的手机13912345678", "人工客服"], 3),
    ]
    for index, (conversation, channel, topic, words, rating) in enumerate(samples):
        created = now - timedelta(days=index + 1)
        lines = [Line("user", w, created, topic, topic, 0.9) for w in words]
        ticket_id = open_ticket(conversation, channel, "user_request", lines, topic=topic, url=url)
        with session_scope(url) as session:
            ticket = session.get(Ticket, ticket_id)
            ticket.created_at = created.replace(tzinfo=None)
            ticket.claimed_at = ticket.created_at + timedelta(minutes=2 + index)
            ticket.closed_at = ticket.claimed_at + timedelta(minutes=10)
            ticket.status, ticket.rating, ticket.resolution_note = "closed", rating, "已解答"
    open_ticket(
        "rest-waiting-1",
        "rest",
        "misunderstood_twice",
        [Line("user", "你说的我看不懂", now, "out_of_scope", "nlu_fallback", 0.3)],
        topic="out_of_scope",
        url=url,
    )


@pytest.fixture
def console_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Debian's chromium is not installed")
    url = f"sqlite:///{tmp_path / 'console.db'}"
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    upgrade(url)
    add_staff("xiaowang", PASSWORD, role="admin", display_name="小王", url=url)  # exports: admins
    _seed(url)
    port = unused_port()
    env = {**os.environ, "IPPC_DATABASE_URL": url, "IPPC_CONSOLE_PORT": str(port)}
    log = (tmp_path / "console.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "handoff.console"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(base + "/login", timeout=2):  # loopback
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("console did not start: " + (tmp_path / "console.log").read_text())
            time.sleep(0.3)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_console_in_chromium(console_url: str, artifacts_dir: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = os.environ["IPPC_DATABASE_URL"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        # Anonymous: sent to the login page.
        page.goto(console_url + "/queue")
        expect(page).to_have_url(console_url + "/login")
        page.get_by_label("用户名").fill("xiaowang")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(console_url + "/queue")
        expect(page.locator("#waiting tbody tr")).to_have_count(1)

        # A new user asks for a person: the row appears without a reload.
        new_id = open_ticket(
            "web-live-2001",
            "webchat",
            "needs_judgement",
            [
                Line(
                    "user",
                    "对方的产品和我的专利一样，算侵权吗",
                    datetime.now(timezone.utc),
                    "dispute_evidence",
                    "infringement_judgement",
                    0.88,
                )
            ],
            topic="dispute_evidence",
            url=url,
        )
        row = page.locator(f'#waiting tr[data-id="{new_id}"]')
        expect(row).to_be_visible(timeout=15000)
        expect(row).to_contain_text("需要人工判断")
        expect(page.locator("#waiting .count")).to_have_text("2")
        page.screenshot(path=str(artifacts_dir / "console-queue.png"), full_page=True)

        # Claim, reply, and see the user's next message arrive live.
        row.get_by_role("link").click()
        expect(page.locator("#ticket-status")).to_have_text("排队中")
        page.get_by_role("button", name="接入").click()
        expect(page.locator("#ticket-status")).to_have_text("处理中")
        page.get_by_label("回复用户").fill("您好，是否侵权需要看具体证据，请描述一下产品。")
        page.get_by_role("button", name="发送").click()
        expect(page.locator(".line-staff")).to_contain_text("是否侵权需要看具体证据")
        add_line(
            "web-live-2001",
            Line(
                "user",
                "是一款折叠椅，电话13700001111",
                datetime.now(timezone.utc),
                "dispute_evidence",
                "dispute_evidence",
                0.7,
            ),
            url=url,
        )
        arrived = page.locator(".line-user").last
        expect(arrived).to_contain_text("电话137****1111", timeout=15000)
        page.screenshot(path=str(artifacts_dir / "console-transcript.png"), full_page=True)

        # Close with a note and tags.
        page.get_by_label("处理结果").fill("已初步解答，建议申请侵权判定咨询")
        page.get_by_label("标签（逗号分隔）").fill("侵权判定, 外观设计")
        page.get_by_role("button", name="关闭工单").click()
        expect(page.locator("#ticket-status")).to_have_text("已关闭")
        expect(page.locator(".facts")).to_contain_text("侵权判定，外观设计")

        # Review: filter by keyword and channel, then export what is shown.
        page.get_by_role("link", name="记录查询").click()
        expect(page.locator("#review-results tbody tr")).to_have_count(5)
        page.get_by_label("关键词").fill("折叠椅")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#review-results tbody tr")).to_have_count(1)
        expect(page.locator("#review-results")).to_contain_text(f"#{new_id}")
        with page.expect_download() as download:
            page.locator("#export-json").click()
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert [t["id"] for t in exported] == [new_id]
        assert exported[0]["status"] == "closed" and exported[0]["tags"] == ["侵权判定", "外观设计"]
        assert "13700001111" not in json.dumps(exported, ensure_ascii=False)
        with page.expect_download() as download:
            page.locator("#export-csv").click()
        exported_csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert "折叠椅" in exported_csv and "13700001111" not in exported_csv
        page.get_by_label("关键词").fill("")
        page.get_by_label("渠道").fill("telegram")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#review-results tbody tr")).to_have_count(1)
        expect(page.locator("#review-results")).to_contain_text("对方抄袭我的外观设计怎么办")

        # Dashboard with its chart.
        page.get_by_role("link", name="统计").click()
        expect(page.get_by_role("img", name="每日转人工工单数")).to_be_visible()
        expect(page.locator("#total-tickets")).to_have_text("5")
        expect(page.locator("#average-rating")).to_have_text("4.0")
        page.screenshot(path=str(artifacts_dir / "console-dashboard.png"), full_page=True)

        assert errors == []
        browser.close()
