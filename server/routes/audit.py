"""The audit log: read with filters, or export as CSV. Admins see all; others their own."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from automations.audit import MAX_PAGE, AuditFilter, export_csv, query
from automations.roster.policy import Action, may
from server.deps import CurrentUser, RosterDep, SessionDep, SessionsDep

router = APIRouter(prefix="/api/v1", tags=["audit"])


def audit_filter(
    user: CurrentUser,
    roster: RosterDep,
    actor: str | None = None,
    mailbox: str | None = None,
    action: str | None = None,
    outcome: Annotated[str | None, Query(pattern="^(success|failure|denied)$")] = None,
    operation_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> AuditFilter:
    """The query's filters; a non-admin reads only what she did herself."""
    admin = may(roster, user.upn, Action.EDIT_CONFIGURATION)
    return AuditFilter(
        actor=actor if admin else user.upn,
        mailbox=mailbox,
        action=action,
        outcome=outcome,
        operation_id=operation_id,
        since=since,
        until=until,
    )


FilterDep = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("/audit", operation_id="list_audit")
async def list_audit(
    filters: FilterDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    before: int | None = None,
) -> dict[str, Any]:
    """Newest first; ``next_before`` is the cursor for the next page."""
    page = await query(session, filters, limit=limit, before=before)
    return page.model_dump(mode="json")


@router.get("/audit.csv", operation_id="export_audit_csv")
async def export_audit(filters: FilterDep, sessions: SessionsDep) -> StreamingResponse:
    """The same filters as a CSV download (cells that look like formulas are defused)."""
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return StreamingResponse(export_csv(sessions, filters), media_type="text/csv", headers=headers)
