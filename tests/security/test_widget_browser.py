"""Finding 13 in a real browser (Debian's chromium, Playwright): the widget renders links and
images with http(s) addresses only, and "结束对话" forgets the conversation in the browser."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from channels.push import push_messages
from channels.webchat import WebchatInput
from tests.channels.channels_harness import ScriptedBot, channel_server

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="chromium is not installed"),
]

HOSTILE = {
    "text": "请选择：",
    "image": "javascript:alert(1)",
    "buttons": [
        {"title": "恶意链接", "url": "javascript:alert(document.cookie)"},
        {"title": "数据链接", "url": "data:text/html,<script>alert(1)</script>"},
        {"title": "官网", "url": "https://www.cnipa.gov.cn/"},
    ],
}


@pytest.fixture
async def page():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield await (await browser.new_context(locale="zh-CN")).new_page()
        await browser.close()


@pytest.fixture
async def widget_server(sqlite_db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    monkeypatch.setenv("IPPC_INTERNAL_TOKEN", "browser-test-token")
    async with channel_server([WebchatInput()], ScriptedBot()) as base:
        monkeypatch.setenv("IPPC_RASA_URL", base)
        yield base


async def test_links_and_images_other_than_http_are_not_rendered(page, widget_server) -> None:
    from playwright.async_api import expect

    await page.goto(f"{widget_server}/webhooks/webchat/demo")
    await page.get_by_role("button", name="打开在线咨询").click()
    await page.wait_for_function("window.__ippcWidget.conversationId()")
    conversation = await page.evaluate("window.__ippcWidget.conversationId()")
    assert await push_messages(f"web:{conversation}", "webchat", [HOSTILE])
    choices = page.get_by_role("group", name="可选回复")
    await expect(choices.get_by_role("link", name="官网")).to_be_visible()
    assert await choices.get_by_role("link", name="恶意链接").count() == 0
    assert await choices.get_by_role("link", name="数据链接").count() == 0
    assert (
        await page.locator("#ippc-chat-widget").evaluate(
            "host => host.shadowRoot.querySelectorAll('img').length"
        )
        == 0
    )


async def test_ending_the_conversation_forgets_it_in_the_browser(page, widget_server) -> None:
    from playwright.async_api import expect

    await page.goto(f"{widget_server}/webhooks/webchat/demo")
    await page.get_by_role("button", name="打开在线咨询").click()
    await page.wait_for_function("window.__ippcWidget.conversationId()")
    first = await page.evaluate("window.__ippcWidget.conversationId()")
    box = page.get_by_role("textbox", name="输入您的问题")
    await box.fill("我的手机号是13812345678")
    await box.press("Enter")
    log = page.get_by_role("log", name="对话记录")
    await expect(log).to_contain_text("收到")
    await page.get_by_role("button", name="结束对话并清除记录").click()
    await expect(log).not_to_contain_text("13812345678")
    await page.wait_for_function(
        f"window.__ippcWidget.conversationId() && window.__ippcWidget.conversationId() !== '{first}'"
    )
    stored = await page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert "13812345678" not in stored and first not in stored
