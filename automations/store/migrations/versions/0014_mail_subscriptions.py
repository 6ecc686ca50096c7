"""Mail as it arrives: our Graph subscriptions on the executives' Inboxes, and the ids the
Inbox delta has seen there (to tell an arrival from a change).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_subscriptions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("client_state_hash", sa.String(64), nullable=False),
        sa.Column("notification_url", sa.String(1000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_subscriptions"),
        sa.UniqueConstraint("mailbox", name="uq_mail_subscriptions_mailbox"),
    )
    op.create_table(
        "inbox_messages",
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(512), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mailbox", "message_id", name="pk_inbox_messages"),
    )


def downgrade() -> None:
    op.drop_table("inbox_messages")
    op.drop_table("mail_subscriptions")
