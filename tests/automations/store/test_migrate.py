"""Migrations: a fresh database gets exactly our tables, and the models match the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from automations.store.db import create_engine
from automations.store.migrate import (
    current_revision,
    downgrade_async,
    head_revision,
    upgrade,
    upgrade_async,
)
from automations.store.models import Base

TABLES = {
    "access_checks",
    "agenda_items",
    "alembic_version",
    "approvals",
    "audit_log",
    "calendar_mirror",
    "claims",
    "delta_links",
    "graph_throttles",
    "dispatches",
    "inbox_messages",
    "job_findings",
    "job_run_mailboxes",
    "job_runs",
    "mail_subscriptions",
    "meeting_documents",
    "meetings",
    "operation_steps",
    "operations",
    "processing_looks",
    "planning_guests",
    "planning_options",
    "planning_requests",
    "quickstep_versions",
    "reschedule_backlog",
    "roster_assignments",
    "roster_exceptions",
    "roster_front_office",
    "roster_members",
    "seen_messages",
    "template_versions",
    "token_caches",
}


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_on_an_empty_database_creates_exactly_the_tables(
    empty_database_url: str,
) -> None:
    await upgrade_async(empty_database_url)

    assert await _tables(empty_database_url) == TABLES
    assert await current_revision(empty_database_url) == head_revision()


async def test_upgrade_of_an_up_to_date_database_changes_nothing(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)
    await upgrade_async(empty_database_url)

    assert await _tables(empty_database_url) == TABLES
    assert await current_revision(empty_database_url) == head_revision()


async def test_downgrade_to_base_removes_every_table_but_alembics(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)

    await downgrade_async(empty_database_url, "base")

    assert await _tables(empty_database_url) == {"alembic_version"}
    assert await current_revision(empty_database_url) is None


async def test_models_and_migrations_do_not_drift(engine: AsyncEngine) -> None:
    def compare(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        diff = await connection.run_sync(compare)

    assert diff == []


async def test_blocking_upgrade_refuses_to_run_inside_an_event_loop(database_url: str) -> None:
    with pytest.raises(RuntimeError, match="upgrade_async"):
        upgrade(database_url)


async def test_the_drift_check_notices_a_column_the_migrations_lack(engine: AsyncEngine) -> None:
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["audit_log"].append_column(Column("ip_address", String(45)))

    def compare(connection: Connection) -> list:
        return compare_metadata(MigrationContext.configure(connection), changed)

    async with engine.connect() as connection:
        diff = await connection.run_sync(compare)

    assert [d[0] for d in diff] == ["add_column"]


async def test_the_task_queue_lives_in_its_own_schema_on_postgresql(
    empty_database_url: str,
) -> None:
    """Procrastinate's tables stay out of the store's schema, and a downgrade drops them."""
    await upgrade_async(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as connection:
            if connection.dialect.name != "postgresql":
                pytest.skip("the queue's tables exist only on PostgreSQL")
            queue = await connection.run_sync(
                lambda c: set(inspect(c).get_table_names(schema="procrastinate"))
            )
        assert {"procrastinate_jobs", "procrastinate_workers"} <= queue

        await downgrade_async(empty_database_url, "0015")  # before the queue came
        async with engine.connect() as connection:
            schemas = await connection.run_sync(lambda c: inspect(c).get_schema_names())
        assert "procrastinate" not in schemas
    finally:
        await engine.dispose()
