"""Ports for the stack's services: every test assistant gets distinct ones, and ``ippc run``
refuses a configuration that gives two services one port before anything starts."""

from __future__ import annotations

import socket

import pytest

from core.errors import CliError
from core.settings import Settings
from runtime.launch import check_distinct_ports
from runtime.processes import unused_ports


def test_unused_ports_are_distinct_and_bindable() -> None:
    ports = unused_ports(20)
    assert len(set(ports)) == 20
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_two_services_on_one_port_are_refused_with_the_settings_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IPPC_ACTION_PORT", "5055")
    monkeypatch.setenv("IPPC_CONSOLE_PORT", "5055")
    monkeypatch.setenv("IPPC_RASA_PORT", "5005")
    with pytest.raises(CliError, match="IPPC_ACTION_PORT and IPPC_CONSOLE_PORT are both 5055"):
        check_distinct_ports(Settings.fromenv())


def test_distinct_ports_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPPC_ACTION_PORT", "5055")
    monkeypatch.setenv("IPPC_CONSOLE_PORT", "5056")
    monkeypatch.setenv("IPPC_RASA_PORT", "5005")
    check_distinct_ports(Settings.fromenv())
