"""Revise and offer again: an approval may replace the rejected one of the same draft.

``approvals.revises`` names the rejected approval a new one replaces; that one is closed with
the new status ``revised`` (herzien) and stays as the history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "'waiting', 'sending', 'sent', 'rejected', 'deleted', 'sent_elsewhere'"
AFTER = f"{BEFORE}, 'revised'"


def _statuses(allowed: str) -> None:
    # SQLite cannot alter a CHECK constraint: batch mode rebuilds the table (env.py).
    with op.batch_alter_table("approvals") as batch:
        batch.drop_constraint("ck_approvals_status", type_="check")
        batch.create_check_constraint("ck_approvals_status", f"status IN ({allowed})")


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("revises", sa.String(36), nullable=True))
        batch.create_index("ix_approvals_revises", ["revises"])
    _statuses(AFTER)


def downgrade() -> None:
    # A revised approval becomes a rejected one again: the history keeps its comment.
    op.execute("UPDATE approvals SET status = 'rejected' WHERE status = 'revised'")
    _statuses(BEFORE)
    with op.batch_alter_table("approvals") as batch:
        batch.drop_index("ix_approvals_revises")
        batch.drop_column("revises")
