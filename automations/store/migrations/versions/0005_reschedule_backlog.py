"""The reschedule backlog (herplannen): meetings cleared in a calamity, to plan again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPN = sa.String(320)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reschedule_backlog",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("operation_id", sa.String(64), nullable=False),
        sa.Column("calamity", sa.String(400), nullable=False),
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("event_id", sa.String(512), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("organizer", UPN, nullable=False),
        sa.Column("organizer_name", sa.String(200), nullable=False),
        sa.Column("attendees", JSON, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(400), nullable=False),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", UPN, nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("planned_event_id", sa.String(512), nullable=True),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'planned', 'dropped')", name="ck_reschedule_backlog_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reschedule_backlog"),
        sa.UniqueConstraint(
            "operation_id", "event_id", name="uq_reschedule_backlog_operation_id_event_id"
        ),
    )
    op.create_index(
        "ix_reschedule_backlog_mailbox_status", "reschedule_backlog", ["mailbox", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_reschedule_backlog_mailbox_status", table_name="reschedule_backlog")
    op.drop_table("reschedule_backlog")
