"""Jobs fan out per mailbox: each mailbox's outcome is a row of its own, written by whichever
worker ran it, so no two workers rewrite one run's list.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "job_run_mailboxes",
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["job_runs.id"],
            name=op.f("fk_job_run_mailboxes_run_id_job_runs"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("run_id", "mailbox", name=op.f("pk_job_run_mailboxes")),
    )


def downgrade() -> None:
    op.drop_table("job_run_mailboxes")
