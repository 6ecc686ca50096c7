"""Roster state: read from YAML, kept in the store, edited by admins, audited.

A roster file is read as the quick-step and template files are (``automations.yamlfile``:
bounded, no anchors or aliases, every value's line kept), so each problem names its line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditEntry, record
from automations.errors import AccessDenied, BadRequest, Unprocessable
from automations.plural import counted
from automations.roster.exceptions import RosterExceptionView, view_of
from automations.roster.models import WEEKDAYS, Roster, RosterDocument
from automations.store.models import (
    RosterAssignment,
    RosterException,
    RosterFrontOffice,
    RosterMember,
)
from automations.yamlfile import Located, YamlError, describe, load

__all__ = [
    "RosterError",
    "document_of",
    "load_roster_file",
    "parse_roster",
    "parse_roster_text",
    "replace_roster",
    "snapshot",
]


class RosterError(Unprocessable):
    """The roster is refused as a whole; ``problems`` names each one at its place (and line,
    for a file), in Dutch."""

    code = "invalid_roster"

    def __init__(self, problems: list[str], *, source: str | None = None) -> None:
        self.problems = problems
        what = f"Rooster {source}" if source else "Rooster"
        count = counted(len(problems), "fout", "fouten")
        super().__init__(f"{what} afgewezen ({count}): " + "; ".join(problems))


def parse_roster(data: object) -> RosterDocument:
    """Validate a roster document (the API's JSON); every problem is reported with its place
    in the document (``serves.<who>[1]: …``)."""
    return _validated(Located(data, {}))


def parse_roster_text(text: str, *, source: str | None = None) -> RosterDocument:
    """Validate a roster file's text; every problem is reported with its line, as the
    quick-step loader does (``regel 14, serves.<who>[1]: …``)."""
    try:
        located = load(text)
    except YamlError as exc:
        raise RosterError([str(exc)], source=source) from None
    if not isinstance(located.data, dict):
        raise RosterError(["regel 1: verwacht 'members:' bovenaan"], source=source)
    return _validated(located, source=source)


def load_roster_file(path: Path) -> RosterDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadRequest(f"Rooster {path} is niet te lezen: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadRequest(f"Rooster {path} is geen tekst in UTF-8.") from None
    return parse_roster_text(text, source=str(path))


def _validated(located: Located, *, source: str | None = None) -> RosterDocument:
    try:
        return RosterDocument.model_validate(located.data)
    except ValidationError as exc:
        problems = [_described(located, error) for error in exc.errors()]
        raise RosterError(problems, source=source) from None


# What ``yamlfile.describe`` says in Dutch itself; every other kind of error is put in words
# here first, so no English message of pydantic's reaches the admin.
_DESCRIBED = frozenset({
    "extra_forbidden", "missing", "value_error", "too_short", "too_long",
    "string_type", "list_type", "dict_type", "bool_type", "int_type", "model_type",
})  # fmt: skip


def _described(located: Located, error: Mapping[str, Any]) -> str:
    """One pydantic error in Dutch at its place, with the member's name where it is one."""
    described = describe(located, _in_dutch(error))
    loc = tuple(error.get("loc", ()))
    member = _member_at(located.data, loc)
    name = member.get("display_name") if member and loc[2:] != ("display_name",) else None
    if not isinstance(name, str) or not name.strip() or name in described:
        return described
    return f"{described} (bij {name})"


def _in_dutch(error: Mapping[str, Any]) -> Mapping[str, Any]:
    kind, ctx, value = error.get("type"), error.get("ctx") or {}, error.get("input")
    loc = tuple(error.get("loc", ()))
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    if kind == "roster":
        return {**error, "type": "value_error"}  # the document's own rule: Dutch already
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return {**error, "type": "value_error", "msg": "mag niet leeg zijn"}
    if kind in ("string_too_short", "string_too_long"):
        return {**error, "type": kind.removeprefix("string_")}
    if kind == "string_pattern_mismatch" and loc[-1:] == ("upn",):
        return {**error, "type": "value_error", "msg": f"geen geldig e-mailadres: {shown}"}
    if kind == "literal_error":  # pydantic lists the choices with an English "or"
        choices = str(ctx.get("expected", "")).replace(" or ", " of ")
        return {
            **error,
            "type": "value_error",
            "msg": f"ongeldige waarde {shown}; kies uit {choices}",
        }
    if kind in _DESCRIBED:
        return error
    return {**error, "type": "value_error", "msg": f"ongeldige waarde {shown}"}


def _member_at(data: object, loc: tuple[Any, ...]) -> Mapping[str, Any] | None:
    """The ``members`` entry an error's place is inside, if any."""
    if len(loc) < 2 or loc[0] != "members" or not isinstance(loc[1], int):
        return None
    members = data.get("members") if isinstance(data, dict) else None
    if not isinstance(members, list) or not 0 <= loc[1] < len(members):
        return None
    member = members[loc[1]]
    return member if isinstance(member, dict) else None


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
