"""One open approval per draft, as a constraint: two clicks racing to ask (or to offer a
revised draft again) cannot both leave a waiting approval; the second is answered with the
first.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('waiting', 'sending')")


def upgrade() -> None:
    op.create_index(
        "uq_approvals_open_draft",
        "approvals",
        ["draft_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_approvals_open_draft", table_name="approvals")
