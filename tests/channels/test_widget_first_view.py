"""The widget's first view (greeting, suggested questions, assistant and center name from
knowledge_base/data/widget.yml) and an answer with its list and collapsible source line, in
Debian's chromium. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os

import pytest
from channels_harness import CANNED
from test_widget_browser import ARTIFACTS, CHROMIUM, page, widget_server  # noqa: F401

from knowledge_base.base import get_knowledge_base
from knowledge_base.widget import widget_config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed"
    ),
]


async def test_first_view_and_an_answer_with_its_footnote(
    page,  # noqa: F811 - the fixture of test_widget_browser
    widget_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.async_api import expect

    kb = get_knowledge_base()
    config = widget_config(kb)
    question = next(q for q in config["suggestions"] if "多少家" in q)
    monkeypatch.setitem(CANNED, question, kb.render_answer("fasttrack_overview/national_figures"))
    typed = "备案怎么办理"  # an answer with a list, a fact and sample text
    monkeypatch.setitem(CANNED, typed, kb.render_answer("fasttrack_registration/how"))
    base, bot, _ = widget_server
    await page.goto(f"{base}/webhooks/webchat/demo")
    await page.get_by_role("button", name="打开在线咨询").click()
    dialog = page.get_by_role("dialog", name="知识产权保护中心 · 在线咨询")
    await expect(dialog.get_by_role("heading")).to_have_text(config["assistant_name"])
    await expect(dialog).to_contain_text(config["center_name"])
    log = dialog.get_by_role("log", name="对话记录")
    await expect(log).to_contain_text(config["greeting"])
    suggested = dialog.get_by_role("group", name="推荐问题")
    await expect(suggested.get_by_role("button")).to_have_count(len(config["suggestions"]))
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "widget-first-view.png"))

    await suggested.get_by_role("button", name=question).click()
    await expect(log.locator(".message.bot").last).to_contain_text("77家")
    await dialog.get_by_role("textbox", name="输入您的问题").fill(typed)
    await dialog.get_by_role("button", name="发送").click()
    assert bot.texts()[0] == question
    reply = log.locator(".message.bot").last
    await expect(reply).to_contain_text("南昌中心")
    await expect(reply.locator("ol li")).to_have_count(3)  # the numbered steps as a list
    footnote = reply.locator("details.footnote")
    await expect(footnote.locator("summary")).to_have_text("来源")
    await expect(footnote.locator("p")).to_be_hidden()  # collapsed until clicked
    await footnote.locator("summary").click()
    await expect(footnote.locator("p")).to_contain_text("南昌中心")
    await expect(footnote.locator("p")).to_contain_text("示例内容")
    await page.screenshot(path=str(ARTIFACTS / "widget-answer-footnote.png"))
    # The greeting is remembered: a reload shows the history, not a second greeting.
    await page.reload()
    await expect(
        page.get_by_role("log", name="对话记录").get_by_text(config["greeting"])
    ).to_have_count(1)
