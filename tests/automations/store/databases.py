"""Throwaway databases for the store, journal and audit suites: SQLite and PostgreSQL.

Every test that asks for ``database_url`` (or ``engine``/``sessions``) runs once per backend.
Each test module gets one fresh, migrated database per backend, dropped afterwards; tests in a
module keep apart by using their own mailboxes and ids. PostgreSQL is the one on
127.0.0.1:5432 (user postgres, trust auth). ``SECRETARIAAT_TEST_POSTGRES=0`` skips it;
otherwise it must be there — CI has it, and a silently skipped backend hides bugs.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from automations.clock import SetClock
from automations.store.db import create_engine, session_factory
from automations.store.migrate import upgrade
from tests.conftest import TODAY

PG_HOST = "127.0.0.1:5432"
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}/postgres"


def postgres_enabled() -> bool:
    value = os.environ.get("SECRETARIAAT_TEST_POSTGRES", "1")
    if value not in ("0", "1"):
        raise pytest.UsageError(f"SECRETARIAAT_TEST_POSTGRES must be 0 or 1, not {value!r}")
    return value == "1"


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not postgres_enabled(), reason="SECRETARIAAT_TEST_POSTGRES=0"),
    ),
]


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _new_database(backend: str, directory: Path) -> tuple[str, str | None]:
    """A URL of an empty database, and the PostgreSQL database name to drop later."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'store.sqlite3'}", None
    name = f"secretariaat_test_{secrets.token_hex(6)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return f"postgresql+asyncpg://postgres@{PG_HOST}/{name}", name


def _drop(name: str | None) -> None:
    if name is not None:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database for this test module, on each backend in turn."""
    url, name = _new_database(request.param, tmp_path_factory.mktemp("store"))
    try:
        upgrade(url)
        yield url
    finally:
        _drop(name)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated yet, for this test alone."""
    url, name = _new_database(request.param, tmp_path)
    try:
        yield url
    finally:
        _drop(name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine, clock=SetClock.on_day(TODAY))


@pytest.fixture
async def other_sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions of a second engine on the same database: another worker process."""
    engine = create_engine(database_url)
    yield session_factory(engine, clock=SetClock.on_day(TODAY))
    await engine.dispose()
