"""Reading today's operations (undos among them, each naming what it undid) from the store."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.journal import Operation
from automations.journal.plans import to_operation
from automations.store.models import OperationRow, OperationStepRow

__all__ = ["HIDDEN_KINDS", "MAX_SHOWN", "operations_between"]

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
