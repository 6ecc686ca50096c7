"""Migration 0011: ``operations.undoes``, unique, filled in for the undos already journaled.

Runs on SQLite and PostgreSQL, from revision 0010 with an operation undone twice (the bug the
constraint closes): the first undo keeps the claim, the second is left unnamed, and a third
can no longer be stored.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from automations.store.db import create_engine
from automations.store.migrate import current_revision, downgrade_async, upgrade_async
from automations.store.models import JSONType, UTCDateTime

AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
OPERATIONS = sa.table(
    "operations", sa.column("id", sa.String), sa.column("kind", sa.String),
    sa.column("actor_upn", sa.String), sa.column("mailbox", sa.String),
    sa.column("status", sa.String), sa.column("fingerprint", sa.String),
    sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()),
)  # fmt: skip
AUDIT = sa.table(
    "audit_log", sa.column("at", UTCDateTime()), sa.column("actor_upn", sa.String),
    sa.column("mailbox", sa.String), sa.column("action", sa.String),
    sa.column("outcome", sa.String), sa.column("operation_id", sa.String),
    sa.column("item_id", sa.String), sa.column("details", JSONType),
)  # fmt: skip


def _operation(op_id: str, kind: str) -> dict[str, object]:
    return {"id": op_id, "kind": kind, "actor_upn": "monique@zeeveen.nl",
            "mailbox": "burgemeester@zeeveen.nl", "status": "done", "fingerprint": op_id,
            "created_at": AT, "updated_at": AT}  # fmt: skip


def _undone(undo_id: str, item: str, undoes: str) -> dict[str, object]:
    return {"at": AT, "actor_upn": "monique@zeeveen.nl", "mailbox": "burgemeester@zeeveen.nl",
            "action": "quickstep.undo", "outcome": "success", "operation_id": undo_id,
            "item_id": item, "details": {"undoes": undoes}}  # fmt: skip


async def test_undos_already_journaled_are_named_and_a_second_one_cannot_be_stored(
    empty_database_url: str,
) -> None:
    await upgrade_async(empty_database_url, "0010")
    engine = create_engine(empty_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.insert(OPERATIONS), [
                _operation("applied", "quickstep"), _operation("undo-first", "quickstep.undo"),
                _operation("undo-second", "quickstep.undo"),
            ])  # fmt: skip
            await connection.execute(sa.insert(AUDIT), [
                _undone("undo-first", "AAMk-1", "applied"),
                _undone("undo-first", "AAMk-2", "applied"),
                _undone("undo-second", "AAMk-1", "applied"),
            ])  # fmt: skip

        await upgrade_async(engine)

        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT id, undoes FROM operations"))
            assert {r[0]: r[1] for r in rows} == {
                "applied": None, "undo-first": "applied", "undo-second": None,
            }  # fmt: skip
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(
                    sa.text("UPDATE operations SET undoes = 'applied' WHERE id = 'undo-second'")
                )

        await downgrade_async(engine, "0010")
        assert await current_revision(engine) == "0010"
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in sa.inspect(c).get_columns("operations")}
            )
        assert "undoes" not in columns
    finally:
        await engine.dispose()
