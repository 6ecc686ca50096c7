"""The audit log: append, read with filters, export as CSV. There is no update or delete.

``record`` takes the caller's session and only flushes: the entry commits (or rolls back)
together with the change it describes. The database refuses UPDATE and DELETE on the table
by trigger (migration 0001), so "append-only" does not depend on this module alone.

Paging is by id (keyset), newest first: new entries arriving while someone pages through do
not shift the pages the way OFFSET would.

The CSV export streams rows from a server-side cursor and opens its own session, because a
streaming HTTP response outlives the request's session. Rows go through the product's one CSV
writer (``automations.csvfile``), which defuses cells a spreadsheet would read as a formula:
item ids, subjects in details and UPNs all come from outside.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit.models import AuditEntry, AuditFilter, AuditPage, AuditRecord
from automations.csvfile import csv_line
from automations.metrics import pseudonym
from automations.store import clock_of
from automations.store.models import AuditLogRow

__all__ = ["CSV_COLUMNS", "MAX_PAGE", "export_csv", "query", "record", "stream_records"]

log = logging.getLogger(__name__)

MAX_PAGE = 500
CSV_COLUMNS = (
    "id",
    "at",
    "actor",
    "on_behalf_of",
    "mailbox",
    "action",
    "item_id",
    "outcome",
    "graph_request_id",
    "operation_id",
    "details",
)


async def record(session: AsyncSession, entry: AuditEntry) -> AuditRecord:
    """Append ``entry`` in the caller's transaction; the caller commits."""
    row = AuditLogRow(
        at=entry.at or clock_of(session).now(),
        actor_upn=entry.actor,
        on_behalf_of=entry.on_behalf_of,
        mailbox=entry.mailbox,
        action=entry.action,
        item_id=entry.item_id,
        outcome=entry.outcome,
        graph_request_id=entry.graph_request_id,
        operation_id=entry.operation_id,
        details=entry.details,
    )
    session.add(row)
    await session.flush()
    log.debug(
        "audit %d: %s %s on %s", row.id, entry.action, entry.outcome, pseudonym(entry.mailbox)
    )
    return _to_record(row)


async def query(
    session: AsyncSession,
    filters: AuditFilter | None = None,
    *,
    limit: int = 50,
    before: int | None = None,
) -> AuditPage:
    """A page of matching entries, newest first; ``before`` is the previous page's cursor."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
    stmt = _filtered(filters or AuditFilter()).order_by(AuditLogRow.id.desc()).limit(limit + 1)
    if before is not None:
        stmt = stmt.where(AuditLogRow.id < before)
    rows = (await session.scalars(stmt)).all()
    entries = [_to_record(r) for r in rows[:limit]]
    more = len(rows) > limit
    return AuditPage(entries=entries, next_before=entries[-1].id if more else None)


async def export_csv(
    sessions: async_sessionmaker[AsyncSession], filters: AuditFilter | None = None
) -> AsyncIterator[str]:
    """CSV text, header first, then one chunk per entry in order of recording."""
    yield csv_line(CSV_COLUMNS)
    async for row in _stream(sessions, filters):
        yield csv_line(_csv_cells(row))


async def stream_records(
    sessions: async_sessionmaker[AsyncSession], filters: AuditFilter | None = None
) -> AsyncIterator[AuditRecord]:
    """Every matching entry in order of recording, from a server-side cursor (exports)."""
    async for row in _stream(sessions, filters):
        yield _to_record(row)


async def _stream(
    sessions: async_sessionmaker[AsyncSession], filters: AuditFilter | None
) -> AsyncIterator[AuditLogRow]:
    stmt = _filtered(filters or AuditFilter()).order_by(AuditLogRow.id)
    async with sessions() as session:
        result = await session.stream_scalars(stmt.execution_options(yield_per=500))
        async for row in result:
            yield row


def _filtered(filters: AuditFilter) -> Select[AuditLogRow]:
    stmt = select(AuditLogRow)
    equal = {
        AuditLogRow.actor_upn: filters.actor,
        AuditLogRow.on_behalf_of: filters.on_behalf_of,
        AuditLogRow.mailbox: filters.mailbox,
        AuditLogRow.action: filters.action,
        AuditLogRow.outcome: filters.outcome,
        AuditLogRow.operation_id: filters.operation_id,
        AuditLogRow.item_id: filters.item_id,
    }
    for column, value in equal.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.since is not None:
        stmt = stmt.where(AuditLogRow.at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditLogRow.at < filters.until)
    return stmt


def _to_record(row: AuditLogRow) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        at=row.at,
        actor=row.actor_upn,
        on_behalf_of=row.on_behalf_of,
        mailbox=row.mailbox,
        action=row.action,
        item_id=row.item_id,
        outcome=row.outcome,
        graph_request_id=row.graph_request_id,
        operation_id=row.operation_id,
        details=row.details,
    )


def _csv_cells(row: AuditLogRow) -> list[Any]:
    details = (
        json.dumps(row.details, ensure_ascii=False, separators=(",", ":"))
        if row.details is not None
        else ""
    )
    return [
        row.id,
        _iso(row.at),
        row.actor_upn,
        row.on_behalf_of,
        row.mailbox,
        row.action,
        row.item_id,
        row.outcome,
        row.graph_request_id,
        row.operation_id,
        details,
    ]


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
