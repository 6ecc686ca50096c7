"""Team-wide documents kept by version (quick steps, reply templates): publish, active, history.

A text is validated as a whole before it is stored; a refused text changes nothing, so the
previous version stays active. Each publish (and each refusal) is in the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditEntry, record
from automations.errors import BadRequest, Conflict, NotFound
from automations.store.models import VersionRow

__all__ = ["Active", "Superseded", "VersionInfo", "VersionedDocument"]

T = TypeVar("T")


class Superseded(Conflict):
    """Another version was published after the one a change started from."""

    code = "superseded"


@dataclass(frozen=True)
class VersionInfo:
    version: int
    sha256: str
    author: str
    note: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Active(Generic[T]):
    info: VersionInfo
    text: str
    parsed: T


def _info(row: VersionRow) -> VersionInfo:
    return VersionInfo(row.version, row.sha256, row.author_upn, row.note, row.created_at)


class VersionedDocument(Generic[T]):
    """One kind of document: its table, its parser, how it is named in audit and messages."""

    def __init__(
        self,
        *,
        row: type[VersionRow],
        parse: Callable[[str], T],
        audit_action: str,
        label: str,
        summary: Callable[[T], Mapping[str, Any]],
    ) -> None:
        self._row = row
        # Stored texts were valid when stored: each is parsed once per process.
        self._parsed = functools.lru_cache(maxsize=16)(parse)
        self._action = audit_action
        self._label = label
        self._summary = summary

    async def publish(
        self,
        session: AsyncSession,
        text: str,
        *,
        author: str,
        note: str | None = None,
        based_on: int | None = None,
        names: Mapping[str, str] | None = None,
    ) -> VersionInfo:
        """Validate and store ``text`` as the new active version (the caller commits).

        ``based_on``: the version the author started from (0: none yet); when another was
        published since, nothing is stored (``Superseded``), so her text cannot silently undo
        a colleague's change. Two publishes racing on one version: the store lets one win."""
        author = author.lower()
        current = await self._newest(session)
        if based_on is not None and based_on != current:
            raise await self._superseded(session, names)
        try:  # off the event loop: a big file with many templates takes a while to check
            parsed = await asyncio.to_thread(self._parsed, text)
        except BadRequest as exc:
            problems = getattr(exc, "problems", [str(exc)])
            await record(
                session,
                AuditEntry(
                    actor=author,
                    action=self._action,
                    outcome="failure",
                    details={"problems": problems[:20]},
                ),
            )
            raise
        row = self._row(
            document=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            author_upn=author,
            note=(note or "").strip()[:400] or None,
            replaces=current,
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # a colleague's publish on the same version came first
            raise await self._superseded(session, names) from None
        details = {"version": row.version, "sha256": row.sha256, **self._summary(parsed)}
        await record(
            session,
            AuditEntry(actor=author, action=self._action, outcome="success", details=details),
        )
        return _info(row)

    async def _newest(self, session: AsyncSession) -> int:
        return await session.scalar(select(func.max(self._row.version))) or 0

    async def _superseded(
        self, session: AsyncSession, names: Mapping[str, str] | None
    ) -> Superseded:
        row = await session.scalar(select(self._row).order_by(self._row.version.desc()).limit(1))
        assert row is not None  # only a published version can supersede
        who = (names or {}).get(row.author_upn, row.author_upn)
        return Superseded(
            f"Intussen heeft {who} versie {row.version} van de {self._label} gepubliceerd; uw"
            " wijziging is niet opgeslagen. Open Beheer opnieuw en breng haar aan op die versie.",
            detail=f"version {row.version} was published after the one this change started from",
        )

    async def active(self, session: AsyncSession) -> Active[T] | None:
        row = await session.scalar(select(self._row).order_by(self._row.version.desc()).limit(1))
        if row is None:
            return None
        parsed = await asyncio.to_thread(self._parsed, row.document)  # cached after the first
        return Active(_info(row), row.document, parsed)

    async def read_version(self, session: AsyncSession, version: int) -> tuple[VersionInfo, str]:
        row = await session.get(self._row, version)
        if row is None:
            raise NotFound(f"Versie {version} van de {self._label} bestaat niet.")
        return _info(row), row.document

    async def versions(self, session: AsyncSession) -> list[VersionInfo]:
        rows = await session.scalars(select(self._row).order_by(self._row.version.desc()))
        return [_info(r) for r in rows]
