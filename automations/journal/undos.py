"""Undo once: an operation is taken back by at most one undo, whichever way in it came.

An undo is an operation of its own whose row names the operation it takes back
(``operations.undoes``, a unique index). Planning a second undo of the same operation — another
id from another pane, a colleague's click, two clicks racing — is refused with
``AlreadyUndone``, saying who undid it and when; the same undo again (its id, its request) is a
resubmit and gets the first result (``Journal.plan``). Races are decided by the database: of
two inserts naming the same operation, the unique index lets one in, on SQLite and PostgreSQL
alike, so no read-then-write gap is left.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.journal.errors import AlreadyUndone, InvalidOperation
from automations.store.models import OperationRow

__all__ = ["already_undone", "check_undoes"]

log = logging.getLogger(__name__)


def check_undoes(undoes: str | None) -> str | None:
    """The id of the operation an undo takes back, as stored (an operation id)."""
    if undoes is not None and not 0 < len(undoes) <= 64:
        raise InvalidOperation("an undo must name the operation it takes back")
    return undoes


async def already_undone(
    sessions: async_sessionmaker[AsyncSession], operation_id: str
) -> AlreadyUndone | None:
    """The refusal of another undo of ``operation_id``, when one was planned already."""
    async with sessions() as session:
        row = await session.scalar(
            select(OperationRow).where(OperationRow.undoes == operation_id).limit(1)
        )
    if row is None:
        return None
    log.info("operation %s already undone by %s", operation_id, row.id)
    return AlreadyUndone(by=row.actor_upn, at=row.created_at, undo_id=row.id)
