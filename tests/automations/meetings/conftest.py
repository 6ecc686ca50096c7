"""Fixtures: a fresh migrated database per module, on SQLite and on PostgreSQL."""

from tests.automations.store.databases import (  # noqa: F401
    database_url,
    engine,
    sessions,
)
