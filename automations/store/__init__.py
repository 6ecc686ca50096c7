"""The store: what Graph cannot hold (DESIGN principle 1), in SQLite or PostgreSQL.

``db`` makes engines and sessions, ``models`` declares the tables, ``migrate`` brings a
database to the newest schema with the Alembic migrations shipped in ``migrations/``.
"""

from automations.store.db import DEFAULT_URL, clock_of, create_engine, rowcount, session_factory
from automations.store.migrate import upgrade, upgrade_async

__all__ = [
    "DEFAULT_URL",
    "clock_of",
    "create_engine",
    "rowcount",
    "session_factory",
    "upgrade",
    "upgrade_async",
]
