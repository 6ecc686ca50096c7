"""The team's quick-step set in the store: publish a new version, read the active one or any old.

A text is validated as a whole before it is stored; a refused text changes nothing, so the
previous version stays active. Each publish (and each refusal) is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditEntry, record
from automations.errors import NotFound
from automations.quicksteps.definitions import DefinitionError, parse
from automations.quicksteps.models import QuickStepSet
from automations.store.models import QuickStepVersionRow

__all__ = ["ActiveSet", "VersionInfo", "active", "publish", "read_version", "versions"]


@dataclass(frozen=True)
class VersionInfo:
    version: int
    sha256: str
    author: str
    note: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ActiveSet:
    info: VersionInfo
    text: str
    steps: QuickStepSet


def _info(row: QuickStepVersionRow) -> VersionInfo:
    return VersionInfo(row.version, row.sha256, row.author_upn, row.note, row.created_at)


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> QuickStepSet:
    """Stored texts were valid when stored; parse each once per process."""
    return parse(text)


async def publish(
    session: AsyncSession, text: str, *, author: str, note: str | None = None
) -> VersionInfo:
    """Validate and store ``text`` as the new active version (the caller commits)."""
    author = author.lower()
    try:
        steps = parse(text)
    except DefinitionError as exc:
        await record(
            session,
            AuditEntry(
                actor=author,
                action="quicksteps.publish",
                outcome="failure",
                details={"problems": exc.problems[:20]},
            ),
        )
        raise
    row = QuickStepVersionRow(
        document=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        author_upn=author,
        note=(note or "").strip()[:400] or None,
    )
    session.add(row)
    await session.flush()
    await record(
        session,
        AuditEntry(
            actor=author,
            action="quicksteps.publish",
            outcome="success",
            details={"version": row.version, "sha256": row.sha256, "steps": len(steps.steps)},
        ),
    )
    return _info(row)


async def active(session: AsyncSession) -> ActiveSet | None:
    row = await session.scalar(
        select(QuickStepVersionRow).order_by(QuickStepVersionRow.version.desc()).limit(1)
    )
    if row is None:
        return None
    return ActiveSet(_info(row), row.document, _parsed(row.document))


async def read_version(session: AsyncSession, version: int) -> tuple[VersionInfo, str]:
    row = await session.get(QuickStepVersionRow, version)
    if row is None:
        raise NotFound(f"Versie {version} van de snelle stappen bestaat niet.")
    return _info(row), row.document


async def versions(session: AsyncSession) -> list[VersionInfo]:
    rows = await session.scalars(
        select(QuickStepVersionRow).order_by(QuickStepVersionRow.version.desc())
    )
    return [_info(r) for r in rows]
