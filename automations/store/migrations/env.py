"""Alembic environment: runs on a connection handed in by ``migrate.py``, or on its own.

The application never goes through Alembic's command line: ``automations.store.migrate``
passes an open connection in ``config.attributes["connection"]``, so migrations run on the
engine the app configured (same URL handling, same SQLite pragmas) and inside its event loop.
The stand-alone path (``alembic -c .../alembic.ini ...``) is for developers writing migrations.
Logging is left alone on purpose: ``fileConfig`` would replace the application's handlers.
"""

from __future__ import annotations

import asyncio
import logging
import os

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from automations.store.db import DEFAULT_URL, create_engine
from automations.store.models import Base

log = logging.getLogger(__name__)

config = context.config
target_metadata = Base.metadata

# Two app instances starting at once must not both migrate: on PostgreSQL the first takes
# this transaction-scoped advisory lock, the second waits and then finds nothing to do.
MIGRATION_LOCK_KEY = 0x5EC7E7A1


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER columns or constraints; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


async def _run_standalone() -> None:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "SECRETARIAAT_DATABASE_URL", DEFAULT_URL
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure_and_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")

shared = config.attributes.get("connection")
if shared is not None:
    _configure_and_run(shared)
else:
    asyncio.run(_run_standalone())
