"""One undo per operation, as a constraint: ``operations.undoes`` names the operation an undo
takes back, unique, so two undo clicks racing (two ids, two colleagues, two panes) cannot both
be planned; the journal answers the second with who undid it and when.

Undos journaled before this revision are found through their audit lines (``quickstep.undo``
with ``details.undoes``); the first undo of each operation gets the column filled in.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.BigInteger),
    sa.column("action", sa.String),
    sa.column("operation_id", sa.String),
    sa.column("details", JSON),
)
OPERATIONS = sa.table(
    "operations", sa.column("id", sa.String), sa.column("kind", sa.String),
    sa.column("undoes", sa.String),
)  # fmt: skip


def _backfill() -> None:
    """The undos already done: the first one of each operation, by its audit lines."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(AUDIT.c.operation_id, AUDIT.c.details)
        .where(AUDIT.c.action == "quickstep.undo", AUDIT.c.operation_id.is_not(None))
        .order_by(AUDIT.c.id)
    )
    undone: dict[str, str] = {}  # undone operation -> its (first) undo
    seen: set[str] = set()
    for undo_id, details in rows:
        target = (details or {}).get("undoes") if isinstance(details, dict) else None
        if not isinstance(target, str) or undo_id in seen or target in undone:
            continue
        seen.add(undo_id)
        undone[target] = undo_id
    for target, undo_id in undone.items():
        bind.execute(
            sa.update(OPERATIONS)
            .where(OPERATIONS.c.id == undo_id, OPERATIONS.c.kind == "quickstep.undo")
            .values(undoes=target)
        )


def upgrade() -> None:
    op.add_column("operations", sa.Column("undoes", sa.String(64), nullable=True))
    _backfill()
    op.create_index("uq_operations_undoes", "operations", ["undoes"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_operations_undoes", table_name="operations")
    with op.batch_alter_table("operations") as batch:
        batch.drop_column("undoes")
