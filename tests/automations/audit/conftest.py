"""Fixtures: a fresh migrated database per module, on SQLite and on PostgreSQL."""

from tests.automations.store.databases import (  # noqa: F401
    database_url,
    empty_database_url,
    engine,
    other_sessions,
    sessions,
)
