"""Work that survives its machine: the task queue's schema, shared Graph throttles, and the
delegated token caches workers act with.

Procrastinate's tables live in their own PostgreSQL schema (``procrastinate``), so the
store's own schema stays what the models say and a downgrade drops the queue whole. SQLite
has no queue tables: the embedded default runs tasks in-process (Procrastinate's in-memory
connector).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_only

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_SCHEMA = "procrastinate"


def upgrade() -> None:
    op.create_table(
        "token_caches",
        sa.Column("account", sa.String(320), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_token_caches")),
    )
    op.create_table(
        "graph_throttles",
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mailbox", name=op.f("pk_graph_throttles")),
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    raw = bind.connection.driver_connection  # asyncpg: runs the multi-statement script as is
    assert raw is not None
    await_only(raw.execute(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}"))
    await_only(raw.execute(f"SET LOCAL search_path TO {QUEUE_SCHEMA}"))
    await_only(raw.execute(SchemaManager.get_schema()))
    await_only(raw.execute("SET LOCAL search_path TO DEFAULT"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP SCHEMA IF EXISTS {QUEUE_SCHEMA} CASCADE")
    op.drop_table("graph_throttles")
    op.drop_table("token_caches")
