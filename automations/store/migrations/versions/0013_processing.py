"""Postverwerking: mail marked "gezien" (seen, nothing to do) and each secretary's last look
at an executive's list.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_messages",
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(512), nullable=False),
        sa.Column("seen_by", sa.String(320), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operation_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("mailbox", "message_id", name="pk_seen_messages"),
    )
    op.create_table(
        "processing_looks",
        sa.Column("user_upn", sa.String(320), nullable=False),
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("looked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_upn", "mailbox", name="pk_processing_looks"),
    )


def downgrade() -> None:
    op.drop_table("processing_looks")
    op.drop_table("seen_messages")
