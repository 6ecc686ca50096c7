"""The roster: every team member may read it; only admins replace it (audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from automations.audit import AuditEntry, record
from automations.roster import exceptions
from automations.roster.policy import Action, authorize
from automations.roster.service import document_of, parse_roster, replace_roster
from server.deps import CurrentUser, RosterDep, SessionDep, Today
from server.routes.queue import tell_team

router = APIRouter(prefix="/api/v1", tags=["roster"])


@router.get("/roster", operation_id="get_roster")
async def get_roster(user: CurrentUser, roster: RosterDep) -> dict[str, Any]:
    """The team, whom each secretary serves, and the front office per weekday."""
    if roster.role(user.upn) is None:
        authorize(roster, user.upn, Action.EDIT_CONFIGURATION)  # raises the clear 403
    return document_of(roster)


@router.put("/roster", operation_id="replace_roster")
async def put_roster(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    document: dict[str, Any] = Body(...),  # noqa: B008 - FastAPI's way to take a raw body
) -> dict[str, Any]:
    """Replace the whole roster (admins only); the change is audited with before and after."""
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    doc = parse_roster(document)
    # The session already read the roster (its transaction is open): change, audit, commit.
    await replace_roster(session, doc)
    await record(
        session,
        AuditEntry(
            actor=user.upn,
            action="roster.replace",
            outcome="success",
            details={"before": document_of(roster), "after": doc.model_dump()},
        ),
    )
    await session.commit()
    return doc.model_dump()


class ExceptionRequest(BaseModel):
    kind: Literal["absent", "front_office"]
    secretary: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    first: dt.date = Field(alias="from")
    last: dt.date | None = Field(default=None, alias="to")  # inclusive; one day when left out
    executive: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    note: str | None = Field(default=None, max_length=500)


@router.get("/roster/exceptions", operation_id="list_roster_exceptions")
async def get_exceptions(
    user: CurrentUser, roster: RosterDep, session: SessionDep, today: Today,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    last: Annotated[dt.date | None, Query(alias="to")] = None,
) -> dict[str, Any]:  # fmt: skip
    """Absences and swaps from ``from`` (today) to ``to`` (four weeks on)."""
    if roster.role(user.upn) is None:
        authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    first = first or today
    last = last or first + dt.timedelta(days=28)
    found = await exceptions.list_exceptions(session, first=first, last=last)
    return {"exceptions": [asdict(e) for e in found]}


@router.post("/roster/exceptions", operation_id="add_roster_exception", status_code=201)
async def post_exception(
    request: Request, body: ExceptionRequest, user: CurrentUser, roster: RosterDep,
    session: SessionDep,
) -> dict[str, Any]:  # fmt: skip
    """Absent (holiday, illness) or front office for an executive, on a day or a range."""
    made = await exceptions.add_exception(
        session, roster, actor=user.upn, kind=body.kind, secretary=body.secretary,
        first=body.first, last=body.last or body.first, executive=body.executive, note=body.note,
    )  # fmt: skip
    await session.commit()
    tell_team(request, roster, body.secretary, body.executive)
    return {"exceptions": [asdict(e) for e in made]}


@router.delete("/roster/exceptions/{exception_id}", operation_id="remove_roster_exception",
               status_code=204)  # fmt: skip
async def delete_exception(
    request: Request, exception_id: int, user: CurrentUser, roster: RosterDep, session: SessionDep
) -> None:
    gone = await exceptions.remove_exception(session, roster, actor=user.upn,
                                             exception_id=exception_id)  # fmt: skip
    await session.commit()
    tell_team(request, roster, gone.secretary, gone.executive)
