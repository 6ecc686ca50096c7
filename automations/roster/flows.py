"""Changing the roster: replace it (admins), absences and swaps (the team), one flow each.

A roster change can move who is front office today, so every flow tells the open panes of
the executives it touches to redraw their team.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.roster import exceptions
from automations.roster.exceptions import ExceptionKind, RosterExceptionView
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.roster.service import document_of, parse_roster, replace_roster, snapshot

__all__ = ["add_exception", "list_exceptions", "read_roster", "remove_exception", "replace"]


def tell_team(deps: Deps, roster: Roster, secretary: str, executive: str | None) -> None:
    """Open panes of every executive a change for ``secretary`` may touch redraw."""
    touched = {executive.lower()} if executive else roster.serves.get(secretary.lower(), ())
    for mailbox in sorted(touched):
        deps.publish("team", mailbox)


def _member_or_admin(actor: Actor) -> None:
    if actor.roster.role(actor.upn) is None:
        authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)  # raises the clear 403


def read_roster(actor: Actor) -> dict[str, Any]:
    """The team, whom each secretary serves, and the front office per weekday."""
    _member_or_admin(actor)
    return document_of(actor.roster)


async def replace(deps: Deps, actor: Actor, document: object) -> dict[str, Any]:
    """Replace the whole roster (admins only), audited with before and after."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    doc = parse_roster(document)
    async with deps.sessions() as session, session.begin():
        await replace_roster(session, doc)
        await record(session, AuditEntry(
            actor=actor.upn, action="roster.replace", outcome="success",
            details={"before": document_of(actor.roster), "after": doc.model_dump()},
        ))  # fmt: skip
    for executive in sorted(u for u, role in actor.roster.roles.items() if role == "executive"):
        deps.publish("team", executive)
    return doc.model_dump()


async def list_exceptions(
    deps: Deps, actor: Actor, *, first: dt.date | None = None, last: dt.date | None = None
) -> list[RosterExceptionView]:
    """Absences and swaps from ``first`` (today) to ``last`` (four weeks on)."""
    _member_or_admin(actor)
    first = first or deps.today()
    last = last or first + dt.timedelta(days=28)
    async with deps.sessions() as session:
        return await exceptions.list_exceptions(session, first=first, last=last)


async def add_exception(
    deps: Deps, actor: Actor, *, kind: ExceptionKind, secretary: str, first: dt.date,
    last: dt.date | None = None, executive: str | None = None, note: str | None = None,
) -> tuple[list[RosterExceptionView], Roster]:  # fmt: skip
    """Absent (holiday, illness) or front office for an executive, on a day or a range;
    returns what was entered and the roster as it is now."""
    async with deps.sessions() as session, session.begin():
        made = await exceptions.add_exception(
            session, actor.roster, actor=actor.upn, kind=kind, secretary=secretary, first=first,
            last=last or first, executive=executive, note=note,
        )  # fmt: skip
        fresh = await snapshot(session)
    tell_team(deps, actor.roster, secretary, executive)
    return made, fresh


async def remove_exception(deps: Deps, actor: Actor, *, exception_id: int) -> Roster:
    """Take an absence or swap back; returns the roster as it is now."""
    async with deps.sessions() as session, session.begin():
        gone = await exceptions.remove_exception(session, actor.roster, actor=actor.upn,
                                                 exception_id=exception_id)  # fmt: skip
        fresh = await snapshot(session)
    tell_team(deps, actor.roster, gone.secretary, gone.executive)
    return fresh
