"""nginx's configuration from deploy/nginx.conf.template, and nginx run as a child process
(no daemon, no system service) with everything it writes inside one folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.texts import say

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class NginxConfig:
    listen: str  # "127.0.0.1:8080"
    rasa_servers: list[str]  # "127.0.0.1:5005", ...
    action_servers: list[str]
    prefix: Path  # pid file, logs, temporary files
    action_timeout: str = "2500ms"
    worker_processes: int = 1


def nginx_binary() -> str | None:
    """Debian's nginx (``apt-get install nginx``), or None."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def render(config: NginxConfig) -> str:
    """The template with its ``{{name}}`` placeholders filled in."""
    values = {
        # Worker processes drop to this user when nginx starts as root.
        "user": "user root;" if os.geteuid() == 0 else "",
        "worker_processes": str(config.worker_processes),
        "prefix": str(config.prefix),
        "listen": config.listen,
        "rasa_servers": "\n".join(f"        server {s} max_fails=0;" for s in config.rasa_servers),
        "action_servers": "\n".join(
            f"        server {s} max_fails=0;" for s in config.action_servers
        ),
        "action_timeout": config.action_timeout,
        "action_unavailable_text": say("runtime.action_unavailable"),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def write_config(config: NginxConfig) -> Path:
    config.prefix.mkdir(parents=True, exist_ok=True)
    for name in TEMP_DIRS:
        (config.prefix / name).mkdir(exist_ok=True)
    path = config.prefix / "nginx.conf"
    path.write_text(render(config), encoding="utf-8")
    return path


def nginx_command(config_path: Path) -> list[str]:
    """nginx in the foreground (``daemon off``) so it is our child and stops with us."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx (or make deploy-deps)")
    prefix = str(config_path.parent)
    return [binary, "-p", prefix, "-c", str(config_path), "-g", "daemon off;"]


def check_config(config_path: Path) -> None:
    """``nginx -t`` on the generated file; raises with nginx's own words when it is wrong."""
    command = nginx_command(config_path)
    result = subprocess.run(
        [*command[:-2], "-t", "-q", "-g", "daemon off;"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"nginx configuration rejected: {result.stderr.strip()}")
