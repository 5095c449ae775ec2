"""Findings 2 and 7 on the REST channel: a caller cannot speak in, or collect the staff replies
of, another channel's conversation; with ``IPPC_REST_TOKEN`` REST needs the bearer token; and
messages and bodies have limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from channels import outbox
from channels.push import pending_messages, push_messages
from tests.channels.channels_harness import ScriptedBot
from tests.security.conftest import rest_server

REST_TOKEN = "rest-token-for-the-test-0123456789"


@pytest.fixture
async def rest(sqlite_db: str) -> AsyncIterator[tuple[str, ScriptedBot]]:
    bot = ScriptedBot()
    async with rest_server(bot) as url:
        yield url, bot


async def _say(url: str, body: object, headers: dict | None = None) -> tuple[int, object]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json=body, headers=headers or {}) as response,
    ):
        return response.status, await response.json(content_type=None)


async def test_a_rest_sender_naming_another_channels_user_stays_a_rest_user(rest) -> None:
    url, bot = rest
    status, replies = await _say(url, {"sender": "telegram:42", "message": "转人工"})
    assert status == 200
    assert bot.received[-1].sender_id == "rest:telegram:42"  # not the Telegram user's tracker
    assert bot.received[-1].input_channel == "rest"
    assert replies[0]["recipient_id"] == "telegram:42"  # the caller sees the id they sent


async def test_a_rest_caller_cannot_collect_another_channels_queued_replies(sqlite_db: str) -> None:
    outbox.store("telegram:42", "telegram", [{"text": "人工客服：您的材料已收到"}])
    outbox.store("web:abc123", "webchat", [{"text": "人工客服：请补充说明"}])
    for forged in ("telegram:42", "web:abc123", "rest:telegram:42", "rest:web:abc123"):
        assert pending_messages(forged if forged.startswith("rest:") else f"rest:{forged}") == []
    assert outbox.pending_count("telegram:42") == 1 and outbox.pending_count("web:abc123") == 1


async def test_a_push_to_an_id_of_another_channel_is_refused(sqlite_db: str) -> None:
    with pytest.raises(ValueError, match="not a rest conversation"):
        await push_messages("telegram:42", "rest", [{"text": "x"}])
    with pytest.raises(ValueError):
        outbox.store("telegram:42", "rest", [{"text": "x"}])


async def test_with_a_token_set_rest_needs_the_bearer_token(
    sqlite_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPPC_REST_TOKEN", REST_TOKEN)
    bot = ScriptedBot()
    async with rest_server(bot) as url:
        body = {"sender": "u1", "message": "你好"}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": REST_TOKEN}):
            assert (await _say(url, body, headers))[0] == 401
        assert bot.received == []
        status, _ = await _say(url, body, {"Authorization": f"Bearer {REST_TOKEN}"})
        assert status == 200 and bot.received[-1].sender_id == "rest:u1"


async def test_a_message_over_2000_characters_is_cut_to_2000(rest) -> None:
    url, bot = rest
    status, _ = await _say(url, {"sender": "u2", "message": "长" * 5000})
    assert status == 200  # still answered (the contract), but never more than 2,000 kept
    assert bot.received[-1].text == "长" * 2000


async def test_a_body_over_one_megabyte_is_refused_before_it_is_read(rest) -> None:
    url, bot = rest
    huge = b'{"sender": "u3", "message": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    async with aiohttp.ClientSession() as http:
        try:
            async with http.post(url, data=huge) as response:
                status = response.status
        except aiohttp.ClientError:  # the server may cut the upload short
            status = 413
    assert status == 413 and bot.received == []


async def test_caller_metadata_does_not_reach_the_tracker(rest) -> None:
    url, bot = rest
    forged = {"wechat": {"openid": "victim"}, "client": "10.0.0.1"}
    await _say(url, {"sender": "u4", "message": "你好", "metadata": forged})
    assert bot.received[-1].metadata == {}  # from loopback: no client budget key either
