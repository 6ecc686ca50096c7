"""Reading today's operations and the undos that answered them, straight from the store."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.journal import Operation
from automations.journal.plans import to_operation
from automations.store.models import AuditLogRow, OperationRow, OperationStepRow

__all__ = ["HIDDEN_KINDS", "MAX_SHOWN", "operations_between", "undos_since"]

log = logging.getLogger(__name__)

MAX_SHOWN = 50  # a secretary's busiest day; older ones stay in the audit log
HIDDEN_KINDS = ("calamity.preview",)  # a preview changes nothing


async def operations_between(
    session: AsyncSession, *, mailbox: str, start: dt.datetime, end: dt.datetime,
    limit: int = MAX_SHOWN,
) -> list[Operation]:  # fmt: skip
    """Operations on ``mailbox`` planned in [start, end), newest first, with their steps."""
    rows = (
        await session.scalars(
            select(OperationRow)
            .where(
                OperationRow.mailbox == mailbox.lower(),
                OperationRow.created_at >= start,
                OperationRow.created_at < end,
                OperationRow.kind.not_in(HIDDEN_KINDS),
            )
            .order_by(OperationRow.created_at.desc(), OperationRow.id)
            .limit(limit)
        )
    ).all()
    steps: dict[str, list[OperationStepRow]] = {row.id: [] for row in rows}
    if rows:
        found = await session.scalars(
            select(OperationStepRow)
            .where(OperationStepRow.operation_id.in_(list(steps)))
            .order_by(OperationStepRow.operation_id, OperationStepRow.index)
        )
        for step in found:
            steps[step.operation_id].append(step)
    return [to_operation(row, steps[row.id]) for row in rows]


async def undos_since(
    session: AsyncSession, *, mailbox: str, start: dt.datetime
) -> dict[str, tuple[str, str]]:
    """Which operations an undo answered since ``start``: the undone operation's id, to the
    undo's operation id and who undid it (the quick-step undo's audit lines say so)."""
    rows: Sequence[AuditLogRow] = (
        await session.scalars(
            select(AuditLogRow)
            .where(
                AuditLogRow.mailbox == mailbox.lower(),
                AuditLogRow.action == "quickstep.undo",
                AuditLogRow.at >= start,
            )
            .order_by(AuditLogRow.id)
        )
    ).all()
    undone: dict[str, tuple[str, str]] = {}
    for row in rows:
        undoes = (row.details or {}).get("undoes")
        if isinstance(undoes, str) and row.operation_id and undoes not in undone:
            undone[undoes] = (row.operation_id, row.actor_upn)
    return undone
