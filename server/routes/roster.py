"""The roster: every team member may read it; only admins replace it (audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from automations.roster import flows
from server.deps import FlowDeps, Me
from server.fields import Mailbox

router = APIRouter(prefix="/api/v1", tags=["roster"])


@router.get("/roster", operation_id="get_roster")
async def get_roster(me: Me) -> dict[str, Any]:
    """The team, whom each secretary serves, and the front office per weekday."""
    return flows.read_roster(me)


@router.put("/roster", operation_id="replace_roster")
async def put_roster(
    deps: FlowDeps,
    me: Me,
    document: dict[str, Any] = Body(...),  # noqa: B008 - FastAPI's way to take a raw body
) -> dict[str, Any]:
    """Replace the whole roster (admins only); the change is audited with before and after."""
    return await flows.replace(deps, me, document)


class ExceptionRequest(BaseModel):
    kind: Literal["absent", "front_office"]
    secretary: Mailbox
    first: dt.date = Field(alias="from")
    last: dt.date | None = Field(default=None, alias="to")  # inclusive; one day when left out
    executive: Mailbox | None = None
    note: str | None = Field(default=None, max_length=500)


@router.get("/roster/exceptions", operation_id="list_roster_exceptions")
async def get_exceptions(
    deps: FlowDeps,
    me: Me,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    last: Annotated[dt.date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Absences and swaps from ``from`` (today) to ``to`` (four weeks on)."""
    found = await flows.list_exceptions(deps, me, first=first, last=last)
    return {"exceptions": [asdict(e) for e in found]}


@router.post("/roster/exceptions", operation_id="add_roster_exception", status_code=201)
async def post_exception(body: ExceptionRequest, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """Absent (holiday, illness) or front office for an executive, on a day or a range."""
    made, _ = await flows.add_exception(
        deps, me, kind=body.kind, secretary=body.secretary, first=body.first, last=body.last,
        executive=body.executive, note=body.note,
    )  # fmt: skip
    return {"exceptions": [asdict(e) for e in made]}


@router.delete("/roster/exceptions/{exception_id}", operation_id="remove_roster_exception",
               status_code=204)  # fmt: skip
async def delete_exception(exception_id: int, deps: FlowDeps, me: Me) -> None:
    await flows.remove_exception(deps, me, exception_id=exception_id)
