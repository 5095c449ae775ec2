"""The widget in a real browser: Debian's chromium driven by Playwright (never downloaded)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from channels_harness import ScriptedBot, channel_server

from channels.push import push_messages
from channels.webchat import WebchatInput

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture
async def page():  # a Playwright Page
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 760})
        yield await context.new_page()
        await browser.close()


@pytest.fixture
async def widget_server(
    sqlite_outbox: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, ScriptedBot, WebchatInput]]:
    monkeypatch.setenv("IPPC_INTERNAL_TOKEN", "browser-test-token")
    bot, channel = ScriptedBot(), WebchatInput()
    async with channel_server([channel], bot) as base:
        monkeypatch.setenv("IPPC_RASA_URL", base)
        yield base, bot, channel


async def test_widget_conversation_history_reconnection_and_push(page, widget_server) -> None:
    from playwright.async_api import expect

    base, bot, channel = widget_server
    await page.goto(f"{base}/webhooks/webchat/demo")
    launcher = page.get_by_role("button", name="打开在线咨询")
    await launcher.click()
    dialog = page.get_by_role("dialog", name="知识产权保护中心 · 在线咨询")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("status")).to_have_text("已连接")

    # Ask a question with the keyboard; the answer comes with quick replies and a link.
    box = dialog.get_by_role("textbox", name="输入您的问题")
    await expect(box).to_be_focused()
    await box.fill("有哪些业务")
    await box.press("Enter")
    log = dialog.get_by_role("log", name="对话记录")
    await expect(log).to_contain_text("请选择您要咨询的业务：")
    choices = dialog.get_by_role("group", name="可选回复")
    await expect(choices.get_by_role("link", name="官网")).to_have_attribute(
        "href", "https://www.cnipa.gov.cn/"
    )
    await choices.get_by_role("button", name="快速预审").click()
    await expect(log).to_contain_text("专利快速预审是保护中心为备案主体提供的快速通道")
    await expect(log.get_by_role("link", name="https://www.cnipa.gov.cn/")).to_be_visible()
    assert bot.texts() == ["有哪些业务", "/fasttrack_overview"]
    await expect(choices.get_by_role("button", name="快速预审")).to_be_disabled()
    conversation = await page.evaluate("window.__ippcWidget.conversationId()")
    assert bot.received[-1].sender_id == f"web:{conversation}"

    # Reload: same conversation, history shown again.
    await page.reload()
    dialog = page.get_by_role("dialog", name="知识产权保护中心 · 在线咨询")
    await expect(dialog).to_be_visible()
    log = dialog.get_by_role("log", name="对话记录")
    await expect(log).to_contain_text("有哪些业务")
    await expect(log).to_contain_text("专利快速预审是保护中心为备案主体提供的快速通道")
    assert await page.evaluate("window.__ippcWidget.conversationId()") == conversation
    await expect(dialog.get_by_role("status")).to_have_text("已连接")

    # The server drops the connection: the widget reconnects by itself.
    for socket in list(channel.hub.sockets.get(conversation, ())):
        await socket.close()
    await expect(dialog.get_by_role("status")).to_have_text("已连接", timeout=15_000)

    # A message pushed by the server (a staff reply) appears without the user asking.
    assert await push_messages(
        f"web:{conversation}", "webchat", [{"text": "人工客服小王：您好，我来为您解答。"}]
    )
    await expect(log).to_contain_text("人工客服小王：您好，我来为您解答。")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "widget.png"))

    # Escape closes the panel and gives focus back to the launcher; a push while closed
    # shows an unread count on it.
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("button", name="打开在线咨询")).to_be_focused()
    assert await push_messages(f"web:{conversation}", "webchat", [{"text": "还有其他问题吗？"}])
    await expect(page.get_by_role("button", name="打开在线咨询（1 条新消息）")).to_be_visible()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_visible()
    await expect(log).to_contain_text("还有其他问题吗？")


async def test_messages_pushed_while_away_arrive_on_the_next_visit(page, widget_server) -> None:
    from playwright.async_api import expect

    base, _, _ = widget_server
    await page.goto(f"{base}/webhooks/webchat/demo")
    await page.wait_for_function("window.__ippcWidget.conversationId()")  # issued by the server
    conversation = await page.evaluate("window.__ippcWidget.conversationId()")
    await page.goto("about:blank")  # the user leaves
    assert await push_messages(f"web:{conversation}", "webchat", [{"text": "您的工单已处理完毕。"}])
    await page.goto(f"{base}/webhooks/webchat/demo")
    await expect(page.get_by_role("button", name="打开在线咨询（1 条新消息）")).to_be_visible()
    await page.get_by_role("button", name="打开在线咨询（1 条新消息）").click()
    await expect(page.get_by_role("log", name="对话记录")).to_contain_text("您的工单已处理完毕。")


@pytest.mark.model
async def test_widget_talks_to_the_real_assistant(page, live_assistant) -> None:
    """The widget served by ``ippc run``'s Rasa server, answered by the trained model."""
    from playwright.async_api import expect

    from knowledge_base.base import get_knowledge_base

    await page.goto(f"{live_assistant.rasa_url}/webhooks/webchat/demo")
    await page.get_by_role("button", name="打开在线咨询").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("status")).to_have_text("已连接", timeout=30_000)
    await dialog.get_by_role("textbox", name="输入您的问题").fill("你好")
    await dialog.get_by_role("button", name="发送").click()
    # The greeting, with the main services as quick replies.
    bubbles = dialog.locator(".message.bot")
    await expect(bubbles.last).to_contain_text("知识产权保护中心的智能助手", timeout=60_000)
    choices = dialog.get_by_role("group", name="可选回复").last
    await expect(choices.get_by_role("button", name="专利快速预审是什么")).to_be_visible()
    await choices.get_by_role("button", name="专利快速预审是什么").click()
    # The answer the knowledge base gives to that question, with its source.
    answer = get_knowledge_base().render_answer("fasttrack_overview/what")
    first_line, source = answer.splitlines()[0], answer.splitlines()[-1]
    await expect(bubbles.last).to_contain_text(first_line, timeout=60_000)
    await expect(bubbles.last).to_contain_text(source)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "widget-live.png"))


HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>粗体</b>'
STAFF_HOSTILE = (
    '<i onmouseover="window.__xss=3">斜体</i><a href="javascript:window.__xss=4">链接</a>'
)


async def assert_nothing_ran(page) -> None:
    """No markup from the texts became elements, and none of their scripts ran."""
    assert await page.evaluate("window.__xss === undefined")
    injected = "[onerror], [onmouseover], a[href^='javascript:'], script:not([src])"
    for element in await page.locator(injected).all():
        assert "__xss" not in (await element.evaluate("e => e.outerHTML")), "injected markup"


@pytest.mark.model
async def test_html_in_user_and_staff_text_is_shown_as_text(page, live_assistant) -> None:
    """A user types markup into the widget and asks for a person; staff open the ticket in the
    console and answer with markup: everywhere it is shown as the text it is."""
    from playwright.async_api import expect

    from tests.handoff.test_handoff_live import PASSWORD, StaffBrowser

    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await page.goto(f"{live_assistant.rasa_url}/webhooks/webchat/demo")
    await page.get_by_role("button", name="打开在线咨询").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("status")).to_have_text("已连接", timeout=30_000)
    box = dialog.get_by_role("textbox", name="输入您的问题")
    log = dialog.get_by_role("log", name="对话记录")
    await box.fill(HOSTILE)
    await box.press("Enter")
    await expect(log).to_contain_text(HOSTILE)
    await expect(dialog.locator(".message.bot")).not_to_have_count(0, timeout=60_000)
    await box.fill("转人工")
    await box.press("Enter")
    await expect(log).to_contain_text("工单号", timeout=60_000)
    await assert_nothing_ran(page)

    conversation = await page.evaluate("window.__ippcWidget.conversationId()")
    listed = live_assistant.ippc("handoff", "list", "--json")
    [ticket] = [t for t in json.loads(listed.stdout) if t["conversation_id"] == conversation]
    username = f"xss-{uuid.uuid4().hex[:6]}"
    added = live_assistant.ippc("staff", "add", username, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr

    console = await page.context.new_page()
    console.on("dialog", lambda d: dialogs.append(d.message))
    await console.goto(f"{live_assistant.console_url}/login")
    await console.get_by_label("用户名").fill(username)
    await console.get_by_label("密码").fill(PASSWORD)
    await console.get_by_role("button", name="登录").click()
    await expect(console).to_have_url(f"{live_assistant.console_url}/queue")
    await expect(console.locator("body")).to_contain_text(f"#{ticket['id']}")
    await assert_nothing_ran(console)
    await console.goto(f"{live_assistant.console_url}/tickets/{ticket['id']}")
    await expect(console.locator("body")).to_contain_text(HOSTILE)
    await assert_nothing_ran(console)

    staff = StaffBrowser(live_assistant.console_url)
    staff.login(username)
    staff.act(ticket["id"], "claim")
    assert staff.act(ticket["id"], "reply", text=STAFF_HOSTILE).endswith("sent")
    await expect(log).to_contain_text(f"【人工客服】{STAFF_HOSTILE}", timeout=30_000)
    await console.reload()
    await expect(console.locator("body")).to_contain_text(STAFF_HOSTILE)
    for shown in (page, console):
        await assert_nothing_ran(shown)
    ARTIFACTS.mkdir(exist_ok=True)
    await console.screenshot(path=str(ARTIFACTS / "console-markup-as-text.png"))
    await page.screenshot(path=str(ARTIFACTS / "widget-markup-as-text.png"))
    assert dialogs == []
