"""The audit log: read with filters, or export as CSV. Admins see all; others their own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from automations.audit import MAX_PAGE, AuditFilter, export_csv, query
from automations.audit.ldv import Activities, export_ldv
from automations.roster.policy import Action, may
from server.deps import CurrentUser, RosterDep, SessionDep, SessionsDep, SettingsDep
from server.errors import ApiError
from server.fields import AwareDateTimeQuery, OptionalMailboxQuery

router = APIRouter(prefix="/api/v1", tags=["audit"])

Text = Annotated[str | None, Query(min_length=1, max_length=64)]
# Audit ids are SQLite / PostgreSQL BIGINTs: a larger cursor is refused, not an overflow.
MAX_ID = 2**63 - 1


def audit_filter(
    user: CurrentUser,
    roster: RosterDep,
    actor: OptionalMailboxQuery = None,
    mailbox: OptionalMailboxQuery = None,
    action: Text = None,
    outcome: Annotated[str | None, Query(pattern="^(success|failure|denied)$")] = None,
    operation_id: Text = None,
    since: AwareDateTimeQuery = None,
    until: AwareDateTimeQuery = None,
) -> AuditFilter:
    """The query's filters; a non-admin reads only what she did herself."""
    admin = may(roster, user.upn, Action.EDIT_CONFIGURATION)
    try:
        return AuditFilter(
            actor=actor if admin else user.upn,
            mailbox=mailbox,
            action=action,
            outcome=outcome,
            operation_id=operation_id,
            since=since,
            until=until,
        )
    except ValidationError as exc:  # the edge checked the shapes; this is the last word
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ApiError(422, "invalid_request", f"{where}: {first.get('msg')}") from None


FilterDep = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("/audit", operation_id="list_audit")
async def list_audit(
    filters: FilterDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Newest first; ``next_before`` is the cursor for the next page."""
    page = await query(session, filters, limit=limit, before=before)
    return page.model_dump(mode="json")


@router.get("/audit.csv", operation_id="export_audit_csv")
async def export_audit(filters: FilterDep, sessions: SessionsDep) -> StreamingResponse:
    """The same filters as a CSV download (cells that look like formulas are defused)."""
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return StreamingResponse(export_csv(sessions, filters), media_type="text/csv", headers=headers)


@router.get("/audit.ldv.jsonl", operation_id="export_audit_ldv")
async def export_audit_ldv(
    filters: FilterDep, sessions: SessionsDep, settings: SettingsDep, request: Request
) -> StreamingResponse:
    """The same filters as JSON lines in the Logboek Dataverwerkingen's shape (LDV, Logius):
    for the municipality's central Logboek (docs/observability.md)."""
    lines = export_ldv(
        sessions,
        filters,
        activities=Activities(settings.ldv_activities),
        version=request.app.version,
    )
    headers = {"Content-Disposition": 'attachment; filename="audit.ldv.jsonl"'}
    return StreamingResponse(lines, media_type="application/x-ndjson", headers=headers)
