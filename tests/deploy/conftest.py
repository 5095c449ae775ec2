"""The production stack on loopback, once for all deploy tests: nginx in front of two Rasa
servers and two action server workers, a private PostgreSQL cluster (trackers, cases,
handoff) and a private redis-server (conversation locks), all in a temporary folder.

Private servers, so the fault tests may stop and restart them without disturbing other tests
that use the shared ones. The case backend is an HTTP stand-in whose delay a test can set.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from core.model_files import latest_model
from deploy.nginx import nginx_binary
from deploy.stack import Stack, StackSettings
from runtime.processes import free_ports
from tests.deploy.local_services import PrivatePostgres, PrivateRedis, postgres_bin_dir

CASE = {
    "case_number": "BA2025300002",
    "case_type": "备案",
    "applicant": "测试科技有限公司",
    "phone_last4": "1111",
    "status": "备案通过",
    "updated_at": "2025-03-14 10:00",
    "note": "",
}


class CaseBackend(ThreadingHTTPServer):
    """The center's case system, answering after ``delay`` seconds."""

    daemon_threads = True
    delay = 0.0


class CaseHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's name
        time.sleep(self.server.delay)
        found = self.path.rstrip("/").endswith(CASE["case_number"])
        body = json.dumps(CASE if found else {"error": "not found"}).encode()
        try:
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting: that is the point of a slow backend

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Deployment:
    stack: Stack
    postgres: PrivatePostgres
    redis: PrivateRedis
    case_backend: CaseBackend

    @property
    def database_url(self) -> str:
        return self.stack.settings.database_url

    def conversation_events(self, sender: str) -> list[tuple[str, str | None]]:
        """(type, text) of the user and bot events of one conversation, as stored."""
        engine = create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT type_name, data FROM events WHERE sender_id = :s "
                        "AND type_name IN ('user', 'bot') ORDER BY id"
                    ),
                    {"s": f"rest:{sender}"},  # REST conversations are qualified
                ).all()
        finally:
            engine.dispose()
        events = [(kind, json.loads(data).get("text")) for kind, data in rows]
        return [(kind, said) for kind, said in events if said]


def new_sender() -> str:
    return f"deploy-{uuid.uuid4().hex[:12]}"


async def say(
    session: aiohttp.ClientSession, url: str, sender: str, message: str
) -> tuple[int, list[dict], float]:
    """POST one message; (HTTP status, bot messages, seconds until the answer)."""
    started = time.monotonic()
    async with session.post(url, json={"sender": sender, "message": message}) as response:
        body = await response.json(content_type=None)
        return response.status, body, time.monotonic() - started


def reply_texts(messages: list[dict]) -> list[str]:
    return [m.get("text") for m in messages if m.get("text")]


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    model = latest_model()
    if model is None:
        pytest.skip("no trained model: run `ippc train`")
    if nginx_binary() is None:
        pytest.skip("nginx is not installed: make deploy-deps")
    if postgres_bin_dir() is None:
        pytest.skip("PostgreSQL server programs not found under /usr/lib/postgresql")
    root = tmp_path_factory.mktemp("deploy")
    pg_port, redis_port, backend_port = free_ports(3, 5480, 5499)
    postgres = PrivatePostgres(port=pg_port).init()
    redis = PrivateRedis(root / "redis", redis_port).start()
    backend = CaseBackend(("127.0.0.1", backend_port), CaseHandler)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    stack = Stack(
        StackSettings(
            model=model,
            database_url=postgres.url,
            redis_url=redis.url,
            instances=2,
            action_workers=2,
            workdir=root / "stack",
            port_range=(5400, 5479),
            extra_env={
                "IPPC_WORKING_HOURS": "24x7",
                "IPPC_CASES_BACKEND": "http",
                "IPPC_CASES_HTTP_URL": f"http://127.0.0.1:{backend_port}",
                "IPPC_CASES_HTTP_TOKEN": "deploy-test-token",
                "IPPC_CASES_BREAKER_RESET": "1",
            },
        )
    )
    try:
        stack.start()
        yield Deployment(stack, postgres, redis, backend)
    finally:
        stack.stop()
        backend.shutdown()
        redis.stop()
        postgres.remove()
