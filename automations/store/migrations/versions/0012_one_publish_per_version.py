"""One publish per version of a team document: ``replaces`` names the version a new one took
over from, unique, so two admins publishing on the same version cannot both succeed (the later
one would drop the earlier one's change without anyone noticing).

Versions stored before this revision replace the version before them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("quickstep_versions", "template_versions")


def upgrade() -> None:
    for name in TABLES:
        op.add_column(name, sa.Column("replaces", sa.Integer(), nullable=True))
        table = sa.table(name, sa.column("version", sa.Integer), sa.column("replaces", sa.Integer))
        earlier = table.alias("earlier")
        before = (
            sa.select(sa.func.coalesce(sa.func.max(earlier.c.version), 0))
            .where(earlier.c.version < table.c.version)
            .scalar_subquery()
        )
        op.execute(sa.update(table).values(replaces=before))
        with op.batch_alter_table(name) as batch:
            batch.alter_column("replaces", existing_type=sa.Integer(), nullable=False)
        op.create_index(f"uq_{name}_replaces", name, ["replaces"], unique=True)


def downgrade() -> None:
    for name in TABLES:
        op.drop_index(f"uq_{name}_replaces", table_name=name)
        with op.batch_alter_table(name) as batch:
            batch.drop_column("replaces")
