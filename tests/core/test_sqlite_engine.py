"""The SQLite engine shared by our tables and Rasa's tracker store: pooled connections in WAL
mode without an fsync per commit (py-spy showed a new connection and its pragmas per session
costing about 10 % of the Rasa server's time under load)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from core.db import sqlite_engine


def test_a_file_database_is_pooled_in_wal_mode_without_fsync_per_commit(tmp_path: Path) -> None:
    engine = sqlite_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(engine.pool, QueuePool)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with engine.connect() as again:  # the pooled connection comes back
        assert again.execute(text("PRAGMA synchronous")).scalar() == 1
    assert engine.pool.checkedin() == 1
    engine.dispose()


def test_threads_share_the_pool_and_see_each_others_writes(tmp_path: Path) -> None:
    engine = sqlite_engine(f"sqlite:///{tmp_path / 'y.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))

    def write(n: int) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM t")).scalar() == 20
    engine.dispose()


def test_an_in_memory_database_keeps_one_database() -> None:
    engine = sqlite_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM t")).scalar() == 0
