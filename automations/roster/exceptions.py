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
from automations.errors import AccessDenied, NotFound, Unprocessable
from automations.roster.models import ROLE_LABELS, Roster
from automations.store.models import RosterException

__all__ = [
    "MAX_DAYS",
    "MAX_ID",
    "ExceptionKind",
    "RosterExceptionView",
    "add_exception",
    "as_record",
    "list_exceptions",
    "remove_exception",
    "view_of",
]

MAX_DAYS = 62  # one entry covers at most two months (a long absence is a roster change)
MAX_ID = 2**63 - 1  # the largest id the store can hold (a signed 64-bit integer)

ExceptionKind = Literal["absent", "front_office"]


@dataclass(frozen=True)
class RosterExceptionView:
    id: int
    day: dt.date
    kind: str  # absent | front_office
    secretary: str
    executive: str | None
    note: str | None


def view_of(e: RosterException) -> RosterExceptionView:
    return RosterExceptionView(e.id, e.on_date, e.kind, e.secretary_upn, e.executive_upn, e.note)


def as_record(view: RosterExceptionView) -> dict[str, object]:
    """An exception as JSON (audit details, API answers)."""
    return {
        "id": view.id,
        "day": view.day.isoformat(),
        "kind": view.kind,
        "secretary": view.secretary,
        "executive": view.executive,
        "note": view.note,
    }


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
    name = roster.names.get(secretary, secretary)
    role = roster.role(secretary)
    if role is None:
        raise Unprocessable(f"{secretary} staat niet in het rooster.")
    if role != "secretary":
        raise Unprocessable(f"{name} is {ROLE_LABELS[role]}, geen secretaresse.")
    if kind == "front_office":
        if executive is None:
            raise Unprocessable(f"Kies voor welke bestuurder {name} frontoffice is.")
        if executive not in roster.serves.get(secretary, frozenset()):
            whom = roster.names.get(executive, executive)
            raise Unprocessable(
                f"{name} ondersteunt deze bestuurder niet ({whom}); kies iemand die {whom}"
                " wel ondersteunt."
            )
    else:
        executive = None
    if last < first or (last - first).days >= MAX_DAYS:
        raise Unprocessable(
            f"Kies een einddatum op of na de begindatum, hoogstens {MAX_DAYS} dagen."
        )
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
    return [view_of(r) for r in rows]


async def list_exceptions(
    session: AsyncSession, *, first: dt.date, last: dt.date
) -> list[RosterExceptionView]:
    rows = await session.scalars(
        select(RosterException)
        .where(RosterException.on_date >= first, RosterException.on_date <= last)
        .order_by(RosterException.on_date, RosterException.secretary_upn)
    )
    return [view_of(r) for r in rows]


async def remove_exception(
    session: AsyncSession, roster: Roster, *, actor: str, exception_id: int
) -> RosterExceptionView:
    # An id the store cannot hold is not an exception of ours (and must not reach the driver).
    row = await session.get(RosterException, exception_id) if 1 <= exception_id <= MAX_ID else None
    if row is None:
        raise NotFound("Deze uitzondering staat niet (meer) in het rooster.")
    if not _may_edit(roster, actor.lower(), row.secretary_upn, row.executive_upn):
        raise AccessDenied("U kunt het rooster alleen aanpassen voor uw eigen team.")
    view = view_of(row)
    await session.delete(row)
    details = {"kind": view.kind, "secretary": view.secretary, "day": view.day.isoformat()}
    await record(session, AuditEntry(actor=actor.lower(), mailbox=view.executive,
                                     action="roster.exception_remove", outcome="success",
                                     details=details))  # fmt: skip
    return view
