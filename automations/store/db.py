"""Engines and sessions for the store: one SQLite file by default, PostgreSQL in production.

Why a wrapper around SQLAlchemy's own ``create_async_engine``: the two databases need
different care. SQLite needs per-connection pragmas (WAL so readers never wait for the one
writer, foreign keys because SQLite ignores them otherwise, a busy timeout so a second writer
waits instead of failing at once), its parent directory to exist and its file readable by this
user only (it holds the audit log and who works for whom; SQLite gives its -wal and -shm files
the database file's mode); PostgreSQL needs a pool that notices connections dropped by a
restart or a load balancer. Callers only pass a URL.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import StaticPool

from automations.clock import Clock

__all__ = [
    "DEFAULT_URL",
    "clock_of",
    "create_engine",
    "is_sqlite",
    "rowcount",
    "session_factory",
]

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite+aiosqlite:///var/secretariaat.sqlite3"

# How long a SQLite writer waits for another writer before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 15_000


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    if backend == "postgresql":
        # libpq's ``sslmode`` in the URL, as the other connections (psycopg's queue, asyncpg's
        # listeners and slots) read it; asyncpg through SQLAlchemy takes it as ``ssl``.
        query = dict(parsed.query)
        sslmode = query.pop("sslmode", None)
        tls = {"ssl": sslmode if isinstance(sslmode, str) else sslmode[-1]} if sslmode else {}
        return _create_async_engine(
            parsed.set(query=query),
            echo=echo,
            # A handful of connections covers the API and the scheduled jobs of one process;
            # overflow absorbs bursts (a calamity clear) without holding idle connections.
            pool_size=5,
            max_overflow=10,
            pool_timeout=30,
            # Drop connections a restart or an idle-killing proxy closed behind our back.
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={
                "timeout": 10,
                "server_settings": {"application_name": "secretariaat"},
                **tls,
            },
        )
    raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}")


def session_factory(engine: AsyncEngine, *, clock: Clock) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (we return snapshots to callers).

    The clock travels with the sessions as an execution option, so the columns' time stamps
    (``models.stamp``) and ``clock_of(session)`` answer from the same injected clock.
    """
    return async_sessionmaker(
        engine.execution_options(clock=clock), expire_on_commit=False, autoflush=False
    )


def clock_of(session: AsyncSession | async_sessionmaker[AsyncSession]) -> Clock:
    """The clock a session (or a session factory) was made with."""
    bind = session.kw.get("bind") if isinstance(session, async_sessionmaker) else session.bind
    # session_factory binds to an engine (never to a connection); its options carry the clock.
    clock = bind.get_execution_options().get("clock") if isinstance(bind, AsyncEngine) else None
    if clock is None:
        raise RuntimeError("a session without a clock: make sessions with session_factory()")
    return clock  # type: ignore[no-any-return]


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE matched.

    ``AsyncSession.execute`` is annotated with the base ``Result``; for DML without RETURNING
    it returns a ``CursorResult``, the one that has ``rowcount``.
    """
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount


def _sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {"echo": echo}
    if in_memory:
        # Every connection to ":memory:" is a new, empty database: share one connection.
        kwargs["poolclass"] = StaticPool
    elif not database.startswith("file:"):  # a URI filename is the caller's to look after
        _private_file(Path(database).expanduser())
    kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    engine = _create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                # Safe with WAL: a power cut can lose the last commits but never corrupts.
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    return engine


def _private_file(path: Path) -> None:
    """Create the database file as 0600 before SQLite does (it would use the umask, often
    0644); an existing file readable by others loses those bits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return
    except FileExistsError:
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & stat.S_IRWXO:
            file.chmod(mode & ~stat.S_IRWXO)
            log.warning("%s was open to every user; now %o", file, mode & ~stat.S_IRWXO)
