"""Roster state: read from YAML, kept in the store, edited by admins, audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditEntry, record
from automations.errors import AccessDenied, BadRequest, Unprocessable
from automations.roster.exceptions import RosterExceptionView, view_of
from automations.roster.models import WEEKDAYS, Roster, RosterDocument
from automations.store.models import (
    RosterAssignment,
    RosterException,
    RosterFrontOffice,
    RosterMember,
)

__all__ = ["document_of", "load_roster_file", "parse_roster", "replace_roster", "snapshot"]


def parse_roster(data: object) -> RosterDocument:
    """Validate a roster document; every problem is reported with its place in the file."""
    try:
        return RosterDocument.model_validate(data)
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if where else message)
        problems = "; ".join(parts)
        raise Unprocessable(f"Rooster ongeldig: {problems}", code="invalid_roster") from None


def load_roster_file(path: Path) -> RosterDocument:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadRequest(f"Rooster {path} is niet te lezen: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise BadRequest(f"Rooster {path} is geen geldige YAML: {exc}") from None
    return parse_roster(data)


def _still_applies(row: RosterException, doc: RosterDocument) -> bool:
    """An absence needs its secretary still a secretary; a swap also its executive, served by
    her (as ``add_exception`` and ``take_over`` require when one is entered)."""
    roles = {m.upn: m.role for m in doc.members}
    if roles.get(row.secretary_upn) != "secretary":
        return False
    if row.kind != "front_office":
        return True
    executive = row.executive_upn or ""  # the document is in lower case, as the store is
    return roles.get(executive) == "executive" and executive in doc.serves.get(
        row.secretary_upn, []
    )


async def replace_roster(session: AsyncSession, doc: RosterDocument) -> list[RosterExceptionView]:
    """Swap the whole roster in one transaction (the caller commits and audits).

    Dated exceptions (absences, swaps) stay when they still apply to the new roster; those
    naming someone no longer on it in that role, or a swap for an executive she no longer
    serves, are removed (past days too: the store keeps no exception for a stranger) and
    returned, so the caller can show and audit them."""
    dropped = []
    rows = await session.scalars(
        select(RosterException).order_by(RosterException.on_date, RosterException.id)
    )
    for row in rows.all():
        if not _still_applies(row, doc):
            dropped.append(view_of(row))
            await session.delete(row)
    for table in (RosterFrontOffice, RosterAssignment):
        await session.execute(delete(table))
    await session.flush()
    # Members are updated in place: deleting them would cascade to the exceptions kept above.
    wanted = {m.upn: m for m in doc.members}
    for stored in (await session.scalars(select(RosterMember))).all():
        member = wanted.pop(stored.upn, None)
        if member is None:
            await session.delete(stored)
        else:
            stored.display_name, stored.role, stored.active = member.display_name, member.role, True
    for m in wanted.values():
        session.add(RosterMember(upn=m.upn, display_name=m.display_name, role=m.role))
    await session.flush()
    session.add_all(
        RosterAssignment(secretary_upn=secretary, executive_upn=executive)
        for secretary, executives in doc.serves.items()
        for executive in executives
    )
    session.add_all(
        RosterFrontOffice(executive_upn=executive, weekday=WEEKDAYS.index(day), secretary_upn=who)
        for executive, days in doc.front_office.items()
        for day, who in days.items()
    )
    await session.flush()
    return dropped


async def snapshot(session: AsyncSession) -> Roster:
    members = (await session.execute(select(RosterMember).where(RosterMember.active))).scalars()
    roles, names = {}, {}
    for m in members:
        roles[m.upn], names[m.upn] = m.role, m.display_name
    serves: dict[str, set[str]] = {}
    for a in (await session.execute(select(RosterAssignment))).scalars():
        serves.setdefault(a.secretary_upn, set()).add(a.executive_upn)
    front = {
        (f.executive_upn, f.weekday): f.secretary_upn
        for f in (await session.execute(select(RosterFrontOffice))).scalars()
    }
    absent: dict[dt.date, set[str]] = {}
    swaps: dict[tuple[dt.date, str], str] = {}
    for e in (await session.execute(select(RosterException))).scalars():
        if e.kind == "absent":
            absent.setdefault(e.on_date, set()).add(e.secretary_upn)
        elif e.executive_upn:
            swaps[(e.on_date, e.executive_upn)] = e.secretary_upn
    return Roster(
        roles=roles,
        names=names,
        serves={s: frozenset(ex) for s, ex in serves.items()},
        front_office=front,
        absent={d: frozenset(s) for d, s in absent.items()},
        swaps=swaps,
    )


def document_of(roster: Roster) -> dict[str, Any]:
    """The snapshot as the document the API and the YAML file use."""
    front: dict[str, dict[str, str]] = {}
    for (executive, weekday), secretary in sorted(roster.front_office.items()):
        front.setdefault(executive, {})[WEEKDAYS[weekday]] = secretary
    return {
        "members": [
            {"upn": u, "display_name": roster.names[u], "role": r}
            for u, r in sorted(roster.roles.items())
        ],
        "serves": {s: sorted(ex) for s, ex in sorted(roster.serves.items())},
        "front_office": front,
    }


async def take_over(
    session: AsyncSession,
    roster: Roster,
    *,
    executive: str,
    secretary: str,
    day: dt.date,
    note: str | None,
) -> str | None:
    """ "Neem over": ``secretary`` is the executive's front office on ``day`` (a dated swap that
    replaces any other for that day), audited; only for an executive she serves. Returns who
    was front office before (the caller commits)."""
    executive, secretary = executive.lower(), secretary.lower()
    if executive not in roster.serves.get(secretary, frozenset()):
        raise AccessDenied("U kunt alleen overnemen voor een bestuurder die u ondersteunt.")
    before = roster.front_office_on(executive, day)
    await session.execute(
        delete(RosterException).where(
            RosterException.kind == "front_office",
            RosterException.on_date == day,
            RosterException.executive_upn == executive,
        )
    )
    session.add(
        RosterException(
            on_date=day,
            secretary_upn=secretary,
            kind="front_office",
            executive_upn=executive,
            note=(note or "neem over")[:500],
        )
    )
    await record(
        session,
        AuditEntry(
            actor=secretary,
            mailbox=executive,
            action="roster.take_over",
            outcome="success",
            details={"day": day.isoformat(), "was": before},
        ),
    )
    return before
