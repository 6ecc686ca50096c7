"""Changing the roster: replace it (admins), absences and swaps (the team), one flow each.

A roster change can move who is front office today, so every flow tells the open panes of
the executives it touches to redraw their team.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.errors import Unprocessable
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
    """Replace the whole roster (admins only), audited with before and after.

    Absences and swaps that still apply stay; those for someone no longer on the roster (or a
    swap for an executive she no longer serves) go, and are named in the answer and the audit
    entry (``dropped_exceptions``). A roster without an admin is refused: nobody could change
    it again."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    doc = parse_roster(document)
    today = deps.today()
    async with deps.sessions() as session, session.begin():
        before = await snapshot(session)
        pending = await exceptions.list_exceptions(session, first=today, last=dt.date.max)
        dropped = await replace_roster(session, doc)
        gone = {e.id for e in dropped}
        kept = [exceptions.as_record(e) for e in pending if e.id not in gone]
        after = document_of(Roster.from_document(doc))
        await record(session, AuditEntry(
            actor=actor.upn, action="roster.replace", outcome="success",
            details={
                # Exceptions from today on: the ones that still steer who does what.
                "before": document_of(before) | {"exceptions": [
                    exceptions.as_record(e) for e in pending]},
                "after": after | {"exceptions": kept},
                "dropped_exceptions": [exceptions.as_record(e) for e in dropped],
            },
        ))  # fmt: skip
    touched = {u for u, role in before.roles.items() if role == "executive"}
    touched |= {m.upn for m in doc.members if m.role == "executive"}
    for executive in sorted(touched):
        deps.publish("team", executive)
    return after | {"dropped_exceptions": [exceptions.as_record(e) for e in dropped]}


LIST_MAX_DAYS = 366  # one question covers at most a year
LIST_DEFAULT_DAYS = 28


async def list_exceptions(
    deps: Deps, actor: Actor, *, first: dt.date | None = None, last: dt.date | None = None
) -> list[RosterExceptionView]:
    """Absences and swaps from ``first`` (today) to ``last`` (four weeks on)."""
    _member_or_admin(actor)
    first = first or deps.today()
    if last is None:  # four weeks on, without running past the calendar's end
        last = first + min(dt.timedelta(days=LIST_DEFAULT_DAYS), dt.date.max - first)
    if last < first or (last - first).days > LIST_MAX_DAYS:
        raise Unprocessable(
            f"Kies een einddatum op of na de begindatum, hoogstens {LIST_MAX_DAYS} dagen later."
        )
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
