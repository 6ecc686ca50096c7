"""The roster: every team member may read it; only admins replace it (audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from automations.audit import AuditEntry, record
from automations.roster.policy import Action, authorize
from automations.roster.service import document_of, parse_roster, replace_roster
from server.deps import CurrentUser, RosterDep, SessionDep

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
