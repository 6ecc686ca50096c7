"""The roster: every team member may read it; only admins replace it (audited)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from automations.roster import flows
from automations.roster.models import RosterDocument
from server.deps import FlowDeps, Me
from server.fields import BoundedIsoDate, Mailbox, RowId
from server.openapi import json_body

router = APIRouter(prefix="/api/v1", tags=["roster"])


@router.get("/roster", operation_id="get_roster")
async def get_roster(me: Me) -> dict[str, Any]:
    """The team, whom each secretary serves, and the front office per weekday."""
    return flows.read_roster(me)


@router.put("/roster", operation_id="replace_roster", openapi_extra=json_body(RosterDocument))
async def put_roster(
    deps: FlowDeps,
    me: Me,
    document: dict[str, Any] = Body(...),  # noqa: B008 - FastAPI's way to take a raw body
) -> dict[str, Any]:
    """Replace the whole roster (admins only); the change is audited with before and after.

    Absences and swaps that still apply are kept; those that no longer do (someone left the
    roster, or no longer serves that executive) are listed in ``dropped_exceptions``. A
    roster without an admin is refused (422 ``invalid_roster``) and changes nothing; so is one
    that does not hold together, every problem named in Dutch at its place in the document
    (``serves.<address>[2]: Karin Molenaar is secretaresse, geen bestuurder``)."""
    return await flows.replace(deps, me, document)


class ExceptionRequest(BaseModel):
    kind: Literal["absent", "front_office"]
    secretary: Mailbox
    first: BoundedIsoDate = Field(alias="from")
    last: BoundedIsoDate | None = Field(default=None, alias="to")  # inclusive; one day if left out
    executive: Mailbox | None = None
    note: str | None = Field(default=None, max_length=500)


@router.get("/roster/exceptions", operation_id="list_roster_exceptions")
async def get_exceptions(
    deps: FlowDeps,
    me: Me,
    first: Annotated[BoundedIsoDate | None, Query(alias="from")] = None,
    last: Annotated[BoundedIsoDate | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Absences and swaps from ``from`` (today) to ``to`` (four weeks on; a year at most)."""
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
async def delete_exception(exception_id: RowId, deps: FlowDeps, me: Me) -> None:
    """Take an absence or swap back (404 when there is no such exception)."""
    await flows.remove_exception(deps, me, exception_id=exception_id)
