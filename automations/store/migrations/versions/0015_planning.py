"""Plannen: planning requests, the options held for them, and their external guests.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planning_requests",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("organiser", sa.String(320), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decide_by", sa.Date(), nullable=True),
        sa.Column("booked_option_id", sa.String(36), nullable=True),
        sa.Column("booked_event_id", sa.String(512), nullable=True),
        sa.Column("book_operation_id", sa.String(64), nullable=True),
        sa.Column("hold_operation_id", sa.String(64), nullable=True),
        sa.Column("backlog_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_planning_requests"),
    )
    op.create_index("ix_planning_requests_status", "planning_requests", ["status"])
    op.create_table(
        "planning_options",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room", sa.String(320), nullable=True),
        sa.Column("holds", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["planning_requests.id"],
            name="fk_planning_options_request_id_planning_requests",
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_planning_options"),
    )
    op.create_index("ix_planning_options_request_id", "planning_options", ["request_id"])
    op.create_table(
        "planning_guests",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suits", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["planning_requests.id"],
            name="fk_planning_guests_request_id_planning_requests",
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_planning_guests"),
        sa.UniqueConstraint("token_hash", name="uq_planning_guests_token_hash"),
        sa.UniqueConstraint("request_id", "address", name="uq_planning_guests_request_id_address"),
    )


def downgrade() -> None:
    op.drop_table("planning_guests")
    op.drop_table("planning_options")
    op.drop_table("planning_requests")
