"""Meeting folders: meetings, agenda items and the documents placed under them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPN = sa.String(320)


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("type_key", sa.String(40), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(512), nullable=True),
        sa.Column("created_by", UPN, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
        sa.UniqueConstraint("type_key", "event_id", name="uq_meetings_type_key_event_id"),
    )
    op.create_index("ix_meetings_type_key_date", "meetings", ["type_key", "date"])
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("meeting_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name="fk_agenda_items_meeting_id_meetings",
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_agenda_items"),
        sa.UniqueConstraint("meeting_id", "number", name="uq_agenda_items_meeting_id_number"),
    )
    op.create_table(
        "meeting_documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("agenda_item_id", sa.String(36), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("original_name", sa.String(400), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("source_mailbox", UPN, nullable=False),
        sa.Column("source_message_id", sa.String(512), nullable=False),
        sa.Column("source_attachment_id", sa.String(512), nullable=True),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("target_ref", sa.String(1000), nullable=False),
        sa.Column("placed_by", UPN, nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name="fk_meeting_documents_agenda_item_id_agenda_items",
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_meeting_documents"),
        sa.UniqueConstraint(
            "agenda_item_id", "sha256", name="uq_meeting_documents_agenda_item_id_sha256"
        ),
    )
    op.create_index("ix_meeting_documents_agenda_item_id", "meeting_documents", ["agenda_item_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_documents_agenda_item_id", table_name="meeting_documents")
    op.drop_table("meeting_documents")
    op.drop_table("agenda_items")
    op.drop_index("ix_meetings_type_key_date", table_name="meetings")
    op.drop_table("meetings")
