"""Bring a database to the newest schema: ``secretariaat db upgrade`` and app start-up.

Alembic is driven in code, not through ``alembic.ini``, so an installed wheel can migrate
without a checkout: the migration scripts ship inside this package. The connection comes from
our own ``create_engine`` (same URL handling and SQLite pragmas as the app) and is handed to
``migrations/env.py`` through ``Config.attributes``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from automations.store.db import create_engine

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "downgrade_async",
    "head_revision",
    "upgrade",
    "upgrade_async",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations; no ini file, no logging setup."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (blocking; for the CLI).

    Inside a running event loop (app start-up) await ``upgrade_async`` instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(upgrade_async(url, revision))
        return
    raise RuntimeError("upgrade() called inside an event loop: await upgrade_async() instead")


async def upgrade_async(target: str | URL | AsyncEngine, revision: str = "head") -> None:
    """Migrate to ``revision``; safe to call on every start-up (a no-op when up to date)."""
    await _run(target, lambda config: command.upgrade(config, revision))
    log.info("database migrated to %s", revision)


async def downgrade_async(target: str | URL | AsyncEngine, revision: str) -> None:
    """Step back to ``revision`` (``"base"`` removes every table): for tests and operators."""
    await _run(target, lambda config: command.downgrade(config, revision))
    log.info("database downgraded to %s", revision)


async def current_revision(target: str | URL | AsyncEngine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    engine, owned = _engine(target)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        if owned:
            await engine.dispose()


async def _run(target: str | URL | AsyncEngine, action: Callable[[Config], None]) -> None:
    def in_connection(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    engine, owned = _engine(target)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(in_connection)
            await connection.commit()
    finally:
        if owned:
            await engine.dispose()


def _engine(target: str | URL | AsyncEngine) -> tuple[AsyncEngine, bool]:
    if isinstance(target, AsyncEngine):
        return target, False
    return create_engine(target), True
