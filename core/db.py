"""One SQLAlchemy engine per database URL; the schema is owned by Alembic (``migrations/``)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from typing import ParamSpec, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from core.settings import env, get_settings

P = ParamSpec("P")
T = TypeVar("T")

# The persistent tables (cases, audit, handoff tickets, staff) share this metadata so that
# one Alembic environment migrates them all.
Base = declarative_base()


def get_engine(url: str | None = None) -> Engine:
    """Engine for ``url`` (default: ``IPPC_DATABASE_URL`` or the SQLite file under data/)."""
    return _engine_for(url or get_settings().database_url)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    """One engine (and connection pool) per URL and process."""
    if url.startswith("sqlite"):
        return sqlite_engine(url)
    return create_engine(url, future=True, pool_pre_ping=True)


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


def sqlite_engine(url: str) -> Engine:
    """A SQLite engine for the assistant's tables and for Rasa's tracker store.

    SQLAlchemy 1.4 gives a SQLite file no pool (a new connection, with its pragmas, for every
    session): under load that was 10 % of the Rasa server's time (py-spy, docs/benchmarks.md).
    A pool of connections shared by threads instead, in WAL mode (readers never wait for the
    writer) with ``synchronous=NORMAL``: no fsync on each commit, only at checkpoints. WAL keeps
    the database consistent on a crash; a power cut can lose the last few commits, which is
    acceptable for the default single-machine store (production uses PostgreSQL)."""
    if _in_memory(url):
        return create_engine(url, future=True)
    engine = create_engine(
        url,
        future=True,
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=10,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI types
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


@functools.cache
def _sessions_for(engine: Engine) -> sessionmaker:
    """One session factory per engine (making one costs more than the session it makes)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = _sessions_for(get_engine(url))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# Worker threads for blocking database calls made from async code: fewer than the engine's
# pool can hand out (5 + 10 overflow), so a thread never waits for a connection; the rest wait
# in the executor's queue, not on the event loop.
DB_THREADS = int(env("IPPC_DB_THREADS", "8") or "8")
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _db_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="ippc-db")
    return _executor


async def run_sync(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker thread, awaited: the one way async code (actions,
    channel handlers, the console) calls the synchronous database code, so that the event loop
    goes on serving other users while the database answers. ``fn`` opens and closes its own
    session in that thread; its context variables are those of the caller."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await loop.run_in_executor(_db_executor(), call)
