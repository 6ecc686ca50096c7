"""Recording: entries are appended with the change they describe and can never be altered."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import automations.audit as audit
from automations.audit import AuditEntry, AuditFilter, query, record
from automations.store import clock_of
from automations.store.models import AuditLogRow


def _entry(mailbox: str, **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "actor": "secretaris@gemeente.example",
        "on_behalf_of": "wethouder@gemeente.example",
        "mailbox": mailbox,
        "action": "message.categorize",
        "item_id": "AAMkAGI2-immutable",
        "outcome": "success",
        "graph_request_id": "7d1e0a52-request",
        "operation_id": "op-1",
        "details": {"category": "Ter goedkeuring"},
    }
    return AuditEntry(**{**fields, **changes})


async def _one(sessions: async_sessionmaker[AsyncSession], mailbox: str) -> int:
    async with sessions() as session, session.begin():
        return (await record(session, _entry(mailbox))).id


async def test_record_appends_an_entry_with_an_id_and_the_time_of_recording(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    before = clock_of(sessions).now()
    async with sessions() as session, session.begin():
        stored = await record(session, _entry("append@gemeente.example"))

    async with sessions() as session:
        page = await query(session, AuditFilter(mailbox="append@gemeente.example"))
    assert page.entries == [stored]
    assert stored.at >= before
    assert stored.details == {"category": "Ter goedkeuring"}


async def test_an_entry_is_rolled_back_with_the_change_it_describes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            await record(session, _entry("rollback@gemeente.example"))
            raise RuntimeError("the change itself failed")

    async with sessions() as session:
        page = await query(session, AuditFilter(mailbox="rollback@gemeente.example"))
    assert page.entries == []


def test_an_entry_with_an_unknown_outcome_is_refused_before_the_database() -> None:
    with pytest.raises(ValueError, match="outcome"):
        _entry("x@gemeente.example", outcome="maybe")


def test_the_audit_module_offers_no_way_to_change_or_remove_entries() -> None:
    assert not {name for name in audit.__all__ if name.startswith(("update", "delete", "remove"))}


async def test_the_database_refuses_to_update_an_entry(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    entry_id = await _one(sessions, "no-update@gemeente.example")

    with pytest.raises(DBAPIError, match="append-only"):
        async with sessions() as session, session.begin():
            await session.execute(
                update(AuditLogRow).where(AuditLogRow.id == entry_id).values(outcome="failure")
            )


async def test_the_database_refuses_to_delete_an_entry(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    entry_id = await _one(sessions, "no-delete@gemeente.example")

    with pytest.raises(DBAPIError, match="append-only"):
        async with sessions() as session, session.begin():
            await session.execute(delete(AuditLogRow).where(AuditLogRow.id == entry_id))

    async with sessions() as session:
        page = await query(session, AuditFilter(mailbox="no-delete@gemeente.example"))
    assert [e.id for e in page.entries] == [entry_id]


async def test_postgresql_refuses_to_truncate_the_audit_log(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        if session.bind.dialect.name != "postgresql":
            pytest.skip("TRUNCATE exists only on PostgreSQL")
    await _one(sessions, "no-truncate@gemeente.example")

    with pytest.raises(DBAPIError, match="append-only"):
        async with sessions() as session, session.begin():
            await session.execute(text("TRUNCATE audit_log"))
