"""Case lookup benchmark: the import rate of a 100,000-row CSV and the lookup latency through
the action server, with the cases in PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.case_lookup [--cases 100000] [--lookups 2000]

It works in a schema of its own in the `test` database on 127.0.0.1:5432 (dropped at the end)
and starts the action server (rasa_sdk, package `actions`) on port 5155.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text

from cases.csv_rows import HEADER, read_case_csv
from cases.importer import import_rows
from core.db import get_engine
from core.migrate import upgrade

SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
TYPES = (("YS", "预审", "预审中"), ("BA", "备案", "审核中"), ("WQ", "维权", "调解中"))


def write_csv(path: Path, count: int, seed: int = 7) -> list[tuple[str, str]]:
    """``count`` cases; returns (case number, phone last 4) of each."""
    rng = random.Random(seed)
    pairs = []
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(HEADER) + "\n")
        for index in range(count):
            prefix, case_type, status = TYPES[index % 3]
            number = f"{prefix}2025{index:06d}"
            phone = f"13{rng.randrange(10**9):09d}"
            out.write(
                f"{number},{case_type},测试{index}科技有限公司,{phone},{status},"
                f"2025-{1 + index % 12:02d}-{1 + index % 28:02d} 09:30,\n"
            )
            pairs.append((number, phone[-4:]))
    return pairs


def timed_import(path: Path, url: str, label: str) -> None:
    started = time.perf_counter()
    rows, errors = read_case_csv(path)
    parsed = time.perf_counter()
    assert not errors, errors[:3]
    result = import_rows(rows, url)
    done = time.perf_counter()
    print(
        f"{label}: {len(rows)} rows in {done - started:.2f} s = {len(rows) / (done - started):,.0f} "
        f"rows/s (read+validate {parsed - started:.2f} s, write {done - parsed:.2f} s; "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged)"
    )


def lookup_request(number: str, last4: str, sender: str) -> dict:
    """What Rasa posts to the action server to run the lookup after the form."""
    user = {
        "event": "user",
        "text": last4,
        "parse_data": {"text": last4, "intent": {"name": "case_status"}, "entities": []},
        "input_channel": "rest",
    }
    slots = {"case_number": number, "phone_last4": last4, "requested_slot": None}
    return {
        "next_action": "action_case_status_lookup",
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {"slots": {}, "forms": {}},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": user["parse_data"],
            "events": [user],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "case_status_form",
        },
    }


async def measure(url: str, pairs: list[tuple[str, str]], lookups: int, concurrency: int) -> None:
    rng = random.Random(11)
    jobs = []
    for index in range(lookups):
        number, last4 = rng.choice(pairs)
        wrong = index % 10 == 0  # one lookup in ten with the wrong digits
        jobs.append((number, "0000" if wrong and last4 != "0000" else last4, f"bench-{index}"))
    latencies: list[float] = []
    answers = {"found": 0, "other": 0}
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            number, last4, sender = queue.get_nowait()
            started = time.perf_counter()
            async with session.post(url, json=lookup_request(number, last4, sender)) as response:
                body = await response.json()
            latencies.append(time.perf_counter() - started)
            reply = body["responses"][0]["text"]
            answers["found" if reply.startswith("已为您查到") else "other"] += 1

    async with aiohttp.ClientSession() as session:
        for number, last4, sender in jobs[:20]:  # warm-up: connections, schema check
            await session.post(url, json=lookup_request(number, last4, f"warm-{sender}"))
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"lookup through the action server, concurrency {concurrency}: {len(latencies)} lookups, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
        f"{len(latencies) / elapsed:.0f} lookups/s ({answers['found']} found, "
        f"{answers['other']} refused)"
    )


def start_action_server(port: int, database_url: str, data_dir: str) -> subprocess.Popen:
    env = {**os.environ, "IPPC_DATABASE_URL": database_url, "IPPC_DATA_DIR": data_dir}
    env.pop("IPPC_CASES_BACKEND", None)
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the action server exited at start")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the action server did not start within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--port", type=int, default=5155)
    args = parser.parse_args()

    schema = f"bench_cases_{uuid.uuid4().hex[:8]}"
    admin = create_engine(SERVER, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{SERVER}?options=-csearch_path={schema}"
    server = None
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.csv"
            pairs = write_csv(path, args.cases)
            size = path.stat().st_size / 1e6
            print(f"{args.cases} cases in PostgreSQL 15 (schema {schema}); CSV {size:.1f} MB")
            upgrade(url)
            timed_import(path, url, "first import")
            timed_import(path, url, "re-import, nothing changed")
            server = start_action_server(args.port, url, folder)
            webhook = f"http://127.0.0.1:{args.port}/webhook"
            for concurrency in args.concurrency:
                asyncio.run(measure(webhook, pairs, args.lookups, concurrency))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        get_engine(url).dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
