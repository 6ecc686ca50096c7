"""Scheduled jobs: their runs, the calendar mirror kept by delta, and their findings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPN = sa.String(320)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("job", sa.String(60), nullable=False),
        sa.Column("slot", sa.String(80), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("mailboxes", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
        sa.UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),
    )
    op.create_index("ix_job_runs_job_started_at", "job_runs", ["job", "started_at"])
    op.create_table(
        "calendar_mirror",
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("event_id", sa.String(512), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mailbox", "event_id", name="pk_calendar_mirror"),
    )
    op.create_table(
        "job_findings",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("job", sa.String(60), nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("summary", sa.String(400), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("owner", UPN, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job_findings"),
        sa.UniqueConstraint("job", "key", name="uq_job_findings_job_key"),
    )
    op.create_index("ix_job_findings_mailbox_status", "job_findings", ["mailbox", "status"])


def downgrade() -> None:
    op.drop_index("ix_job_findings_mailbox_status", table_name="job_findings")
    op.drop_table("job_findings")
    op.drop_table("calendar_mirror")
    op.drop_index("ix_job_runs_job_started_at", table_name="job_runs")
    op.drop_table("job_runs")
