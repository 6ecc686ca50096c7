"""Reply templates (versioned like the quick steps) and approvals of reply drafts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPN = sa.String(320)
STATUSES = "'waiting', 'sending', 'sent', 'rejected', 'deleted', 'sent_elsewhere'"


def upgrade() -> None:
    op.create_table(
        "template_versions",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("author_upn", UPN, nullable=False),
        sa.Column("note", sa.String(400), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_template_versions"),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("draft_id", sa.String(512), nullable=False),
        sa.Column("message_id", sa.String(512), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("recipients", sa.String(1000), nullable=False),
        sa.Column("change_key", sa.String(200), nullable=False),
        sa.Column("template", sa.String(80), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_by", UPN, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", UPN, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("send_operation_id", sa.String(64), nullable=True),
        sa.Column("deferred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_approvals_status"),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
    )
    op.create_index("ix_approvals_mailbox_status", "approvals", ["mailbox", "status"])
    op.create_index("ix_approvals_requested_by_status", "approvals", ["requested_by", "status"])
    op.create_index("ix_approvals_draft_id", "approvals", ["draft_id"])


def downgrade() -> None:
    op.drop_index("ix_approvals_draft_id", table_name="approvals")
    op.drop_index("ix_approvals_requested_by_status", table_name="approvals")
    op.drop_index("ix_approvals_mailbox_status", table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("template_versions")
