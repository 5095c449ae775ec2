"""200 interleaved conversations through nginx and both Rasa servers: every message answered
exactly once, in order per conversation, and the trackers in PostgreSQL complete."""

from __future__ import annotations

import asyncio
import random
import re

import aiohttp
import pytest

from benchmarks.dialogues import IPPC_DIALOGUES
from tests.deploy.conftest import Deployment, new_sender, reply_texts, say

pytestmark = [pytest.mark.deploy, pytest.mark.model]

CONVERSATIONS = 200
AT_ONCE = 40


async def _converse(
    session: aiohttp.ClientSession, url: str, turns: list[str], gate: asyncio.Semaphore
) -> tuple[str, list[tuple[int, list[dict]]]]:
    sender = new_sender()
    answers = []
    for turn in turns:
        async with gate:  # a conversation waits its turn between messages: they interleave
            status, body, _ = await say(session, url, sender, turn)
        answers.append((status, body))
    return sender, answers


async def _drive(url: str, plans: list[list[str]]) -> list[tuple[str, list]]:
    gate = asyncio.Semaphore(AT_ONCE)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await asyncio.gather(*(_converse(session, url, plan, gate) for plan in plans))


def test_interleaved_conversations_are_answered_once_in_order_and_stored(
    deployment: Deployment,
) -> None:
    rng = random.Random(6)
    plans = [list(rng.choice(IPPC_DIALOGUES)) for _ in range(CONVERSATIONS)]
    log_start = deployment.stack.access_log.stat().st_size
    logs_start = deployment.stack.log_sizes()  # the fault tests may have run before
    results = asyncio.run(_drive(deployment.stack.rest_url, plans))

    for (sender, answers), plan in zip(results, plans, strict=True):
        assert [status for status, _ in answers] == [200] * len(plan), sender
        assert all(reply_texts(body) for _, body in answers), f"{sender}: a message unanswered"
        # The tracker: each user message once, in the order said, followed by exactly the
        # bot messages that were sent back for it.
        stored = deployment.conversation_events(sender)
        expected = []
        for turn, (_, body) in zip(plan, answers, strict=True):
            expected.append(("user", turn))
            expected += [("bot", reply) for reply in reply_texts(body)]
        assert stored == expected, sender

    # Both Rasa servers answered a share of the REST traffic.
    log = deployment.stack.access_log.read_bytes()[log_start:].decode()
    used = re.findall(r'"POST /webhooks/rest/webhook [^"]*" 200 \d+ upstream=(\S+)', log)
    assert len(used) == sum(len(plan) for plan in plans)
    for port in deployment.stack.rasa_ports:
        share = sum(address.endswith(f":{port}") for address in used) / len(used)
        assert share > 0.2, f"Rasa server on {port} answered {share:.0%}"

    # And no process logged an error or a traceback on the way.
    logs = deployment.stack.logs(since=logs_start)
    assert "Traceback" not in logs
    assert not re.search(r"\bERROR\b", logs), re.search(r".*\bERROR\b.*", logs).group(0)
