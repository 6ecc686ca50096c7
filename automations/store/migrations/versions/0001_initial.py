"""Initial store: roster, operations journal, audit log.

Written by hand from ``automations/store/models.py`` (a test compares the two). Runs on both
SQLite and PostgreSQL: plain types, named constraints, no native enums. The audit log gets
database triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so "append-only"
holds even for someone with a SQL prompt and the application's credentials.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPN = sa.String(320)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> sa.Column[dt.datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _member_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["roster_members.upn"],
        name=f"fk_{table}_{column}_roster_members",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "roster_members",
        sa.Column("upn", UPN, nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint(
            "role IN ('secretary', 'executive', 'admin')", name="ck_roster_members_role"
        ),
        sa.PrimaryKeyConstraint("upn", name="pk_roster_members"),
    )
    op.create_table(
        "roster_assignments",
        sa.Column("secretary_upn", UPN, nullable=False),
        sa.Column("executive_upn", UPN, nullable=False),
        _member_fk("secretary_upn", "roster_assignments"),
        _member_fk("executive_upn", "roster_assignments"),
        sa.PrimaryKeyConstraint("secretary_upn", "executive_upn", name="pk_roster_assignments"),
    )
    op.create_index("ix_roster_assignments_executive_upn", "roster_assignments", ["executive_upn"])
    op.create_table(
        "roster_front_office",
        sa.Column("executive_upn", UPN, nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("secretary_upn", UPN, nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_roster_front_office_weekday"),
        _member_fk("executive_upn", "roster_front_office"),
        _member_fk("secretary_upn", "roster_front_office"),
        sa.PrimaryKeyConstraint("executive_upn", "weekday", name="pk_roster_front_office"),
    )
    op.create_index(
        "ix_roster_front_office_secretary_upn", "roster_front_office", ["secretary_upn"]
    )
    op.create_table(
        "roster_exceptions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("secretary_upn", UPN, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("executive_upn", UPN, nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.CheckConstraint("kind IN ('absent', 'front_office')", name="ck_roster_exceptions_kind"),
        sa.CheckConstraint(
            "kind <> 'front_office' OR executive_upn IS NOT NULL",
            name="ck_roster_exceptions_front_office_executive",
        ),
        _member_fk("secretary_upn", "roster_exceptions"),
        _member_fk("executive_upn", "roster_exceptions"),
        sa.PrimaryKeyConstraint("id", name="pk_roster_exceptions"),
    )
    op.create_index(
        "ix_roster_exceptions_on_date_secretary_upn",
        "roster_exceptions",
        ["on_date", "secretary_upn"],
    )
    op.create_index("ix_roster_exceptions_executive_upn", "roster_exceptions", ["executive_upn"])

    op.create_table(
        "operations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor_upn", UPN, nullable=False),
        sa.Column("on_behalf_of", UPN, nullable=True),
        sa.Column("mailbox", UPN, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        _ts("lease_expires_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("finished_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'done', 'failed')", name="ck_operations_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_operations"),
    )
    op.create_index("ix_operations_mailbox_created_at", "operations", ["mailbox", "created_at"])
    op.create_index("ix_operations_status", "operations", ["status"])

    op.create_table(
        "operation_steps",
        sa.Column("operation_id", sa.String(64), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("graph_request_id", sa.String(128), nullable=True),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'running', 'done', 'failed')", name="ck_operation_steps_state"
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name="fk_operation_steps_operation_id_operations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", "index", name="pk_operation_steps"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _ts("at"),
        sa.Column("actor_upn", UPN, nullable=False),
        sa.Column("on_behalf_of", UPN, nullable=True),
        sa.Column("mailbox", UPN, nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("graph_request_id", sa.String(128), nullable=True),
        sa.Column("operation_id", sa.String(64), nullable=True),
        sa.Column("details", JSON, nullable=True),
        sa.CheckConstraint(
            "outcome IN ('success', 'failure', 'denied')", name="ck_audit_log_outcome"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_upn_at", "audit_log", ["actor_upn", "at"])
    op.create_index("ix_audit_log_mailbox_at", "audit_log", ["mailbox", "at"])
    op.create_index("ix_audit_log_operation_id", "audit_log", ["operation_id"])
    _create_audit_guard()


def downgrade() -> None:
    _drop_audit_guard()
    op.drop_table("audit_log")
    op.drop_table("operation_steps")
    op.drop_table("operations")
    op.drop_table("roster_exceptions")
    op.drop_table("roster_front_office")
    op.drop_table("roster_assignments")
    op.drop_table("roster_members")


def _create_audit_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log"
                f" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {verb} refused'); END"
            )


def _drop_audit_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
