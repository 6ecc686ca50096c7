"""Dated exceptions to the weekly roster: a secretary absent (holiday, illness) or someone else
front office for an executive on given days. The team keeps them itself: an admin, the
secretary herself, or a colleague who works for the same executives may enter or remove one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditEntry, record
from automations.errors import AccessDenied, BadRequest, NotFound
from automations.roster.models import Roster
from automations.store.models import RosterException

__all__ = [
    "MAX_DAYS",
    "ExceptionKind",
    "RosterExceptionView",
    "add_exception",
    "list_exceptions",
    "remove_exception",
]

MAX_DAYS = 62  # one entry covers at most two months (a long absence is a roster change)

ExceptionKind = Literal["absent", "front_office"]


@dataclass(frozen=True)
class RosterExceptionView:
    id: int
    day: dt.date
    kind: str  # absent | front_office
    secretary: str
    executive: str | None
    note: str | None


def _view(e: RosterException) -> RosterExceptionView:
    return RosterExceptionView(e.id, e.on_date, e.kind, e.secretary_upn, e.executive_upn, e.note)


def _may_edit(roster: Roster, actor: str, secretary: str, executive: str | None) -> bool:
    """Admins; the secretary herself; a colleague sharing an executive (or serving hers)."""
    if roster.role(actor) == "admin":
        return True
    mine = roster.serves.get(actor, frozenset())
    if executive is not None:
        return executive in mine
    return actor == secretary or bool(mine & roster.serves.get(secretary, frozenset()))


async def add_exception(
    session: AsyncSession, roster: Roster, *, actor: str,
    kind: ExceptionKind, secretary: str, first: dt.date, last: dt.date,
    executive: str | None = None, note: str | None = None,
) -> list[RosterExceptionView]:  # fmt: skip
    """One row per day from ``first`` to ``last`` (weekends included: rosters have sat/sun);
    a day already entered for the same person (and executive) is replaced. The caller commits."""
    actor, secretary = actor.lower(), secretary.lower()
    executive = executive.lower() if executive else None
    if roster.role(secretary) != "secretary":
        raise BadRequest(f"{secretary} is geen secretaresse in het rooster.")
    if kind == "front_office":
        if executive is None or executive not in roster.serves.get(secretary, frozenset()):
            name = roster.names.get(secretary, secretary)
            raise BadRequest(
                f"{name} ondersteunt deze bestuurder niet; kies wie haar wel ondersteunt."
            )
    else:
        executive = None
    if last < first or (last - first).days >= MAX_DAYS:
        raise BadRequest(f"Kies een einddatum op of na de begindatum, hoogstens {MAX_DAYS} dagen.")
    if not _may_edit(roster, actor, secretary, executive):
        raise AccessDenied("U kunt het rooster alleen aanpassen voor uw eigen team.")
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    existing = await session.scalars(select(RosterException).where(
        RosterException.kind == kind, RosterException.on_date.in_(days),
        RosterException.executive_upn == executive if executive else
        RosterException.secretary_upn == secretary,
    ))  # fmt: skip
    for row in existing:
        await session.delete(row)
    rows = [RosterException(on_date=d, secretary_upn=secretary, kind=kind, executive_upn=executive,
                            note=(note or None) and note[:500]) for d in days]  # fmt: skip
    session.add_all(rows)
    await session.flush()
    details = {"kind": kind, "secretary": secretary, "from": first.isoformat(),
               "to": last.isoformat(), "note": note}  # fmt: skip
    await record(session, AuditEntry(actor=actor, mailbox=executive, action="roster.exception_add",
                                     outcome="success", details=details))  # fmt: skip
    return [_view(r) for r in rows]


async def list_exceptions(
    session: AsyncSession, *, first: dt.date, last: dt.date
) -> list[RosterExceptionView]:
    rows = await session.scalars(
        select(RosterException)
        .where(RosterException.on_date >= first, RosterException.on_date <= last)
        .order_by(RosterException.on_date, RosterException.secretary_upn)
    )
    return [_view(r) for r in rows]


async def remove_exception(
    session: AsyncSession, roster: Roster, *, actor: str, exception_id: int
) -> RosterExceptionView:
    row = await session.get(RosterException, exception_id)
    if row is None:
        raise NotFound("Deze uitzondering staat niet (meer) in het rooster.")
    if not _may_edit(roster, actor.lower(), row.secretary_upn, row.executive_upn):
        raise AccessDenied("U kunt het rooster alleen aanpassen voor uw eigen team.")
    view = _view(row)
    await session.delete(row)
    details = {"kind": view.kind, "secretary": view.secretary, "day": view.day.isoformat()}
    await record(session, AuditEntry(actor=actor.lower(), mailbox=view.executive,
                                     action="roster.exception_remove", outcome="success",
                                     details=details))  # fmt: skip
    return view
