"""What a journal step causes in the store besides its Graph call — audit lines, dispatch
and backlog rows — committed in the same transaction that records the step (an outbox).

Why: written on their own, a process that stops between Graph's answer and the step's commit
writes them again when the operation resumes. Written with the step, they exist exactly when
the step is recorded done. A step that fails halfway (some items handled, some not) carries
its effects on ``IncompleteStep``; a later attempt sees those items again, so such effects
are wrapped in ``Once`` and skipped when already there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.inspection import inspect

from automations.audit import AuditEntry, record
from automations.store.models import AuditLogRow, Base

__all__ = ["Effect", "Once", "write_effects"]


@dataclass(frozen=True)
class Once:
    """Write ``effect`` unless it is already there: an audit line with the same operation,
    action and item, or a row with the same primary key."""

    effect: AuditEntry | Base


Effect = AuditEntry | Base | Once


async def write_effects(session: AsyncSession, effects: Iterable[Effect]) -> int:
    """Add the effects to the caller's transaction; returns how many were written."""
    written = 0
    for effect in effects:
        if isinstance(effect, Once):
            if await _exists(session, effect.effect):
                continue
            effect = effect.effect
        if isinstance(effect, AuditEntry):
            await record(session, effect)
        else:
            session.add(effect)
        written += 1
    return written


async def _exists(session: AsyncSession, effect: AuditEntry | Base) -> bool:
    if isinstance(effect, AuditEntry):
        item = effect.item_id
        found = await session.scalar(
            select(AuditLogRow.id)
            .where(
                AuditLogRow.operation_id == effect.operation_id,
                AuditLogRow.action == effect.action,
                AuditLogRow.item_id.is_(None) if item is None else AuditLogRow.item_id == item,
            )
            .limit(1)
        )
        return found is not None
    mapper = inspect(type(effect))
    key = tuple(getattr(effect, mapper.get_property_by_column(c).key) for c in mapper.primary_key)
    return await session.get(type(effect), key) is not None
