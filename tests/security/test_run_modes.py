"""Findings 2 and 8, and the run-mode report: ``ippc run`` with no settings is a loopback-only
local run with REST open; it refuses another address without a REST token (or REST off), says
which mode it is in with one warning per unsafe default, and puts no secret on a command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import CliError
from core.paths import PROJECT_ROOT
from runtime.launch import action_server_command, rasa_server_command
from runtime.rasa_main import rasa_arguments
from runtime.security import LOCAL, PUBLIC, check

TOKEN = "a-long-enough-rest-token-0123456789"

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the public address under test


def test_with_no_settings_every_process_listens_on_loopback_and_rest_is_open() -> None:
    security = check({})
    assert security.mode == LOCAL
    assert set(security.hosts.values()) == {"127.0.0.1"}
    lines = security.lines()
    assert lines[0].startswith("mode: local development")
    assert any("REST channel open without a token" in line for line in lines)


def test_a_public_address_without_a_rest_token_is_refused() -> None:
    with pytest.raises(CliError, match="IPPC_REST_TOKEN"):
        check({"IPPC_HOST": ALL_INTERFACES})
    with pytest.raises(CliError, match="at least 16"):
        check({"IPPC_HOST": ALL_INTERFACES, "IPPC_REST_TOKEN": "short"})
    assert check({"IPPC_HOST": ALL_INTERFACES, "IPPC_REST_TOKEN": TOKEN}).mode == PUBLIC
    assert check({"IPPC_HOST": ALL_INTERFACES, "IPPC_REST_ENABLED": "0"}).mode == PUBLIC


def test_ippc_run_refuses_before_starting_anything(tmp_path: Path) -> None:
    env = {**os.environ, "IPPC_HOST": ALL_INTERFACES, "IPPC_DATA_DIR": str(tmp_path)}
    env.pop("IPPC_REST_TOKEN", None)
    env.pop("IPPC_REST_ENABLED", None)
    result = subprocess.run(
        [sys.executable, "-m", "ippc.cli", "run"], env=env, cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "IPPC_REST_TOKEN" in result.stderr and result.stderr.count("\n") == 1


def test_every_unsafe_default_gets_a_warning_line() -> None:
    lines = check({"IPPC_WECHAT_TOKEN": "t", "IPPC_TELEGRAM_TOKEN": "t"}).lines()
    warnings = [line for line in lines if line.startswith("warning: ")]
    for expected in (
        "REST channel open",
        "IPPC_WIDGET_SECRET unset",
        "IPPC_WIDGET_ORIGINS unset",
        "demo page is on",
        "WeChat in plaintext mode",
        "IPPC_TELEGRAM_SECRET unset",
        "ippc purge",
    ):
        assert any(expected in line for line in warnings), expected
    safe = {
        "IPPC_REST_TOKEN": TOKEN, "IPPC_WIDGET_SECRET": "s" * 40,
        "IPPC_WIDGET_ORIGINS": "https://www.example.cn", "IPPC_WIDGET_DEMO": "0",
    }  # fmt: skip
    assert len([line for line in check(safe).lines() if line.startswith("warning")]) == 1


def test_no_secret_on_a_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPPC_INTERNAL_TOKEN", "internal-secret-value")
    monkeypatch.setenv("IPPC_RASA_API_TOKEN", "api-secret-value")
    command = rasa_server_command(Path("m.tar.gz"), 5005, Path("c.yml"), Path("e.yml"))
    command += action_server_command(5055)
    assert not any("secret-value" in part for part in command)
    assert "--auth-token" not in command and "--enable-api" not in command
    # The API is switched on inside the process, with its own token (not the push token).
    inside = rasa_arguments(["run"], {"IPPC_RASA_API_TOKEN": "api-secret-value"})
    assert inside[-2:] == ["--auth-token", "api-secret-value"]
    assert rasa_arguments(["run"], {}) == ["run"]  # no API at all by default
