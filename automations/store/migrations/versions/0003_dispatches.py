"""Dispatches (uitzetten) and the delta links that tell when a department answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPN = sa.String(320)


def upgrade() -> None:
    op.create_table(
        "dispatches",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tag", sa.String(120), nullable=False),
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("message_id", sa.String(512), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("department_key", sa.String(40), nullable=False),
        sa.Column("department_name", sa.String(80), nullable=False),
        sa.Column("address", UPN, nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("dispatched_by", UPN, nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_message_id", sa.String(512), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'answered')", name="ck_dispatches_status"),
        sa.PrimaryKeyConstraint("id", name="pk_dispatches"),
        sa.UniqueConstraint("tag", name="uq_dispatches_tag"),
    )
    op.create_index("ix_dispatches_mailbox_status", "dispatches", ["mailbox", "status"])
    op.create_index("ix_dispatches_conversation_id", "dispatches", ["conversation_id"])
    op.create_table(
        "delta_links",
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("folder", sa.String(64), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mailbox", "folder", name="pk_delta_links"),
    )


def downgrade() -> None:
    op.drop_table("delta_links")
    op.drop_index("ix_dispatches_conversation_id", table_name="dispatches")
    op.drop_index("ix_dispatches_mailbox_status", table_name="dispatches")
    op.drop_table("dispatches")
