"""PostgreSQL and Redis for a stack on this machine: a fresh database on a shared server, or a
private PostgreSQL cluster and a private redis-server that a fault test may stop and restart
without disturbing anyone else who uses the shared ones."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from runtime.processes import Child, free_ports

SHARED_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
SHARED_REDIS = "redis://127.0.0.1:6379/0"


def create_database(server_url: str = SHARED_POSTGRES, prefix: str = "ippc_deploy") -> str:
    """A new, empty database on the server of ``server_url``; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, server_url: str = SHARED_POSTGRES) -> None:
    """Drop the database of ``url`` (closing anyone's connections to it first)."""
    name = make_url(url).database
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def postgres_bin_dir() -> Path | None:
    """Debian's PostgreSQL server programs (initdb, pg_ctl), newest version first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in ``directory`` on a free port (trust auth, loopback).

    The server refuses to run as root, so as root it runs as the ``postgres`` system user.
    """

    def __init__(self, directory: Path | None = None, port: int | None = None) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server programs not found (/usr/lib/postgresql)")
        self.bin_dir = bin_dir
        # Its own folder under /tmp by default: the server's user must be able to reach it,
        # which a folder inside pytest's root-only tmp_path is not.
        self.owns_directory = directory is None
        self.directory = directory or Path(tempfile.mkdtemp(prefix="ippc-postgres-"))
        self.port = port or free_ports(1)[0]
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> PrivatePostgres:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
            return self.start()
        except BaseException:
            self.remove()
            raise

    def start(self) -> PrivatePostgres:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop the server and delete its files (when this object made the folder)."""
        self.stop()
        if self.owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """A redis-server child on a free loopback port, no persistence."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_ports(1)[0]
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(directory),
        ]  # fmt: skip
        self.child = Child("redis", command, dict(os.environ), directory / "redis.log")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> PrivateRedis:
        self.child.start()
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or not self.child.running:
                    raise RuntimeError(
                        "redis-server did not start:\n" + self.child.log_tail()
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.child.stop()
