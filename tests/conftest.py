"""Shared fixtures. ``live_assistant`` runs the real ``ippc run`` on free ports against a
temporary database, once per test session; tests using it skip when no model is trained.

Under ``CI=true`` a skip is a failure (tests/ci_skips.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from core.db import get_engine
from core.model_files import latest_model
from runtime.processes import unused_ports
from tests.channels.channels_harness import TelegramApiStandIn, WeChatApiStandIn, serve_aiohttp
from tests.ci_skips import pytest_runtest_makereport  # noqa: F401 - the hook
from tests.fuzz.background import BackgroundLoop

START_TIMEOUT_SECONDS = 240
POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


# WeChat and Telegram are switched on in the live assistant, Telegram against a local
# stand-in of the Bot API, so the contract's channel checks run against the real bot.
LIVE_WECHAT_TOKEN = "live-wechat-token"
LIVE_WECHAT_APPID = "wx-live-appid"
LIVE_WECHAT_SECRET = "live-wechat-secret"
LIVE_TELEGRAM_TOKEN = "123456:live-telegram-token"
LIVE_TELEGRAM_SECRET = "live-telegram-secret"


@dataclass
class LiveAssistant:
    """A running assistant: its URLs, the environment it runs with, and a way to talk to it."""

    rasa_url: str
    rest_url: str
    console_url: str
    env: dict[str, str]
    log_path: Path
    telegram_api: TelegramApiStandIn
    background: BackgroundLoop
    wechat_api: WeChatApiStandIn

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        """POST one message to the REST channel and return the bot's messages."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            self.rest_url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def texts(self, sender: str, message: str) -> str:
        """The bot's reply texts joined by newlines (buttons' titles included)."""
        parts = []
        for reply in self.say(sender, message):
            parts.append(reply.get("text", ""))
            parts += [b.get("title", "") for b in reply.get("buttons") or []]
        return "\n".join(parts)

    def ippc(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run an ``ippc`` command with the assistant's environment."""
        return subprocess.run(
            [sys.executable, "-m", "ippc.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=300,
        )


@contextmanager
def start_assistant(data_dir: Path, **settings: str) -> Iterator[LiveAssistant]:
    """``ippc run`` on free ports with its own SQLite database in ``data_dir``, WeChat and
    Telegram switched on against stand-ins of their APIs; ``settings`` override the
    environment (e.g. real working hours and a fixed clock)."""
    if latest_model() is None:
        pytest.skip("no trained model: run `ippc train`")
    rasa_port, action_port, console_port = unused_ports(3)
    background = BackgroundLoop()
    telegram_api = TelegramApiStandIn(LIVE_TELEGRAM_TOKEN)
    wechat_api = background.run(_wechat_api())
    telegram_url = background.enter(serve_aiohttp(telegram_api.app))
    wechat_url = background.enter(serve_aiohttp(wechat_api.app))
    env = {
        **os.environ,
        "IPPC_DATA_DIR": str(data_dir),
        "IPPC_DATABASE_URL": f"sqlite:///{data_dir / 'ippc.db'}",
        "IPPC_RASA_PORT": str(rasa_port),
        "IPPC_ACTION_PORT": str(action_port),
        "IPPC_ACTION_ENDPOINT": f"http://localhost:{action_port}/webhook",
        "IPPC_CONSOLE_PORT": str(console_port),
        "IPPC_WORKING_HOURS": "24x7",
        "IPPC_INTERNAL_TOKEN": "test-internal-token",
        "IPPC_WECHAT_TOKEN": LIVE_WECHAT_TOKEN,
        "IPPC_WECHAT_APPID": LIVE_WECHAT_APPID,
        "IPPC_WECHAT_SECRET": LIVE_WECHAT_SECRET,
        "IPPC_WECHAT_API_URL": wechat_url,
        "IPPC_TELEGRAM_TOKEN": LIVE_TELEGRAM_TOKEN,
        "IPPC_TELEGRAM_SECRET": LIVE_TELEGRAM_SECRET,
        "IPPC_TELEGRAM_API_URL": telegram_url,
        **settings,
    }
    log_path = data_dir / "ippc-run.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ippc.cli", "run"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    assistant = LiveAssistant(
        rasa_url=f"http://localhost:{rasa_port}",
        rest_url=f"http://localhost:{rasa_port}/webhooks/rest/webhook",
        console_url=f"http://localhost:{console_port}",
        env=env,
        log_path=log_path,
        telegram_api=telegram_api,
        background=background,
        wechat_api=wechat_api,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        while "ippc-assistant is running" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "ippc run did not start:\n" + log_path.read_text(errors="replace")[-3000:]
                )
            time.sleep(1)
        yield assistant
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        background.close()


async def _wechat_api() -> WeChatApiStandIn:
    return WeChatApiStandIn(LIVE_WECHAT_APPID, LIVE_WECHAT_SECRET)  # its lock needs the loop


@pytest.fixture(scope="session")
def live_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAssistant]:
    """The assistant as the contract checks it: staff available around the clock."""
    with start_assistant(tmp_path_factory.mktemp("live-assistant")) as assistant:
        yield assistant


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_SERVER, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, then the real PostgreSQL server in a schema of
    its own that is dropped afterwards. Also exported as IPPC_DATABASE_URL (and a private
    IPPC_DATA_DIR) for the code under test."""
    monkeypatch.setenv("IPPC_DATA_DIR", str(tmp_path / "data"))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        monkeypatch.setenv("IPPC_DATABASE_URL", url)
        yield url
        get_engine(url).dispose()
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_SERVER}?options=-csearch_path={schema}"
    monkeypatch.setenv("IPPC_DATABASE_URL", url)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        _drop_schema(admin, schema)


def _drop_schema(admin: Engine, schema: str, attempts: int = 5) -> None:
    """DROP SCHEMA, tried again when PostgreSQL breaks a deadlock with it: the inbox recorder's
    background thread (handoff.missed) may be writing its batch into the schema just then."""
    for attempt in range(attempts):
        try:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)
        admin.dispose()


# Sanic 22's WebsocketImplProtocol.recv() hands asyncio.wait() a bare coroutine; when the
# handler is cancelled because the browser went away, the task wrapping it is never cancelled
# and asyncio logs "Task was destroyed but it is pending" at garbage collection. It is Sanic's
# (it happens after our handler has finished) and it is the only line let through.
SANIC_RECV_TASK = "WebsocketFrameAssembler.get()"


def log_errors(log: str) -> list[str]:
    """Error and traceback lines of a log, without Sanic's destroyed websocket recv task."""
    lines = log.splitlines()
    found = []
    for index, line in enumerate(lines):
        if "Traceback" not in line and " ERROR " not in line:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if "Task was destroyed but it is pending" in line and SANIC_RECV_TASK in following:
            continue
        found.append(line)
    return found
