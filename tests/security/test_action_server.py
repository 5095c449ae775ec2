"""Finding 1: the action server is reachable from loopback only and runs nothing for a caller
without the shared secret that Rasa sends (endpoints.yml ``action_endpoint.headers``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from core.paths import PROJECT_ROOT
from core.settings import get_settings
from runtime.config_files import ACTION_TOKEN_HEADER, write_endpoints
from runtime.processes import free_ports

TOKEN = "action-token-for-the-test-0123456789"
FORGED_TRACKER = {
    "next_action": "action_handoff_relay",
    "sender_id": "telegram:42",
    "tracker": {"sender_id": "telegram:42", "events": [], "slots": {}, "latest_message": {}},
    "domain": {},
}


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    [port] = free_ports(1, 5400, 5499)
    data = tmp_path_factory.mktemp("actions")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "IPPC_ACTION_TOKEN": TOKEN}
    env.update(IPPC_DATA_DIR=str(data), IPPC_DATABASE_URL=f"sqlite:///{data / 'a.db'}")
    env.pop("IPPC_ACTION_HOST", None)
    log = (data / "actions.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.action_server", "--port", str(port)],
        env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _answers(f"http://127.0.0.1:{port}/health"):
            assert process.poll() is None, (data / "actions.log").read_text()
            assert time.monotonic() < deadline, "action server did not start"
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except Exception:  # noqa: BLE001 - not yet
        return False


def _post(port: int, body: dict, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp and tcp6, hex decoded)."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path(f"/proc/net/{name}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_a_forged_tracker_without_the_shared_secret_runs_no_action(action_server: int) -> None:
    assert _post(action_server, FORGED_TRACKER, {}) == 401
    assert _post(action_server, FORGED_TRACKER, {ACTION_TOKEN_HEADER: "guessed"}) == 401
    assert _post(action_server, FORGED_TRACKER, {ACTION_TOKEN_HEADER: TOKEN + "x"}) == 401


def test_the_action_server_listens_on_loopback_only_by_default(action_server: int) -> None:
    assert _listening_addresses(action_server) == {"0100007F"}  # 127.0.0.1, nothing else


def test_rasa_sends_the_secret_from_the_environment_not_from_the_file(tmp_path: Path) -> None:
    settings = get_settings()
    path = write_endpoints(settings, tmp_path, {"IPPC_ACTION_TOKEN": TOKEN})
    endpoints = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["headers"] == {ACTION_TOKEN_HEADER: "${IPPC_ACTION_TOKEN}"}
    assert TOKEN not in path.read_text(encoding="utf-8")
