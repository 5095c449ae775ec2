"""Concurrent conversations against a REST channel (aiohttp), bounded in messages and time.

``concurrency`` users talk at once; each says one conversation turn by turn (each message
after the previous answer, as a person does), then starts a new conversation, until the
level's message budget or time budget is spent. Loopback only.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from knowledge_base.texts import say


@dataclass
class LevelResult:
    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered message
    errors: int = 0
    empty: int = 0  # answered with no bot message at all
    not_processed: int = 0  # answered "please send it again" (runtime.rest_channel)
    elapsed: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies)

    def percentile(self, q: float) -> float:
        """The q-th percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def throughput(self) -> float:
        return self.messages / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict:
        return {
            "concurrency": self.concurrency,
            "messages": self.messages,
            "errors": self.errors,
            "empty": self.empty,
            "not_processed": self.not_processed,
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1)
            if self.latencies
            else None,
            "messages_per_s": round(self.throughput, 1),
        }


def assert_loopback(url: str) -> None:
    """Load goes to this machine only."""
    host = aiohttp.client.URL(url).host or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise ValueError(f"benchmark load goes to loopback only, not {host!r}")


async def _user(
    session: aiohttp.ClientSession,
    url: str,
    dialogues: itertools.cycle,
    result: LevelResult,
    budget: list[int],
    deadline: float,
    timeout: float,
    think: float,
) -> None:
    rng = random.Random()
    while budget[0] > 0 and time.monotonic() < deadline:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in next(dialogues):
            if think:  # a person reads the answer and types the next message
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
            if budget[0] <= 0 or time.monotonic() >= deadline:
                return
            budget[0] -= 1
            started = time.perf_counter()
            try:
                async with session.post(
                    url,
                    json={"sender": sender, "message": text},
                    timeout=aiohttp.ClientTimeout(total=timeout),
                ) as response:
                    body = await response.json(content_type=None)
                    if response.status != 200:
                        result.errors += 1
                        continue
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                result.errors += 1
                continue
            result.latencies.append(time.perf_counter() - started)
            if not body:
                result.empty += 1
            elif any(
                isinstance(m, dict) and m.get("text") == say("runtime.not_processed") for m in body
            ):
                result.not_processed += 1


async def run_level(
    url: str,
    dialogues: list[list[str]],
    concurrency: int,
    messages: int,
    seconds: float,
    timeout: float = 30,
    think: float = 0.0,
) -> LevelResult:
    """One concurrency level: at most ``messages`` messages and ``seconds`` seconds; with
    ``think``, each user pauses 0.5–1.5 × ``think`` seconds before each message."""
    assert_loopback(url)
    result = LevelResult(concurrency)
    budget = [messages]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        cycle = itertools.cycle(dialogues)
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _user(session, url, cycle, result, budget, deadline, timeout, think)
                for _ in range(concurrency)
            )
        )
        result.elapsed = time.monotonic() - started
    return result


async def warm_up(url: str, dialogues: list[list[str]]) -> None:
    """One pass over every dialogue: first-call costs (lazy loads, caches) out of the figures."""
    await run_level(url, dialogues, 2, sum(len(d) for d in dialogues), 120)


def run_levels(
    url: str,
    dialogues: list[list[str]],
    levels: list[int],
    messages: int,
    seconds: float,
    think: float = 0.0,
) -> list[LevelResult]:
    async def all_levels() -> list[LevelResult]:
        await warm_up(url, dialogues)
        results = []
        for level in levels:
            budget = max(messages, 3 * level)
            results.append(await run_level(url, dialogues, level, budget, seconds, think=think))
            print(f"    {results[-1].summary()}", flush=True)
        return results

    return asyncio.run(all_levels())
