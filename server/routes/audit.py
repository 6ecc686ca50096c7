"""The audit log: read with filters, or export as CSV. Admins see all; others their own."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from automations.audit import MAX_PAGE, AuditFilter, export_csv, query
from automations.roster.policy import Action, may
from server.deps import CurrentUser, RosterDep, SessionDep, SessionsDep

router = APIRouter(prefix="/api/v1", tags=["audit"])


def _filters(
    user: str,
    admin: bool,
    actor: str | None,
    mailbox: str | None,
    action: str | None,
    outcome: str | None,
    operation_id: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> AuditFilter:
    return AuditFilter(
        actor=actor if admin else user,  # a non-admin reads what she did herself
        mailbox=mailbox,
        action=action,
        outcome=outcome,  # type: ignore[arg-type]
        operation_id=operation_id,
        since=since,
        until=until,
    )


@router.get("/audit", operation_id="list_audit")
async def list_audit(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    actor: str | None = None,
    mailbox: str | None = None,
    action: str | None = None,
    outcome: Annotated[str | None, Query(pattern="^(success|failure|denied)$")] = None,
    operation_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    before: int | None = None,
) -> dict[str, Any]:
    """Newest first; ``next_before`` is the cursor for the next page."""
    admin = may(roster, user.upn, Action.EDIT_CONFIGURATION)
    flt = _filters(user.upn, admin, actor, mailbox, action, outcome, operation_id, since, until)
    page = await query(session, flt, limit=limit, before=before)
    return page.model_dump(mode="json")


@router.get("/audit.csv", operation_id="export_audit_csv")
async def export_audit(
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    actor: str | None = None,
    mailbox: str | None = None,
    action: str | None = None,
    outcome: Annotated[str | None, Query(pattern="^(success|failure|denied)$")] = None,
    operation_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> StreamingResponse:
    """The same filters as a CSV download (cells that look like formulas are defused)."""
    admin = may(roster, user.upn, Action.EDIT_CONFIGURATION)
    flt = _filters(user.upn, admin, actor, mailbox, action, outcome, operation_id, since, until)
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return StreamingResponse(export_csv(sessions, flt), media_type="text/csv", headers=headers)
