"""Fixtures: a fresh migrated database per module, on SQLite and on PostgreSQL."""

from tests.automations.store.databases import database_url, engine, sessions  # noqa: F401
