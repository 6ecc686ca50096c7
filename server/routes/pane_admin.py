"""The pane's Beheer (admins): who is front office today, recent audit lines and job runs,
and publishing the team's quick steps."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.audit import AuditFilter, query
from automations.jobs.runner import recent_runs
from automations.quicksteps import flows
from automations.quicksteps.service import DefinitionError, active, versions
from automations.roster.policy import Action, authorize
from server.deps import CurrentUser, FlowDeps, Me, SessionDep
from server.fields import MailboxQuery
from server.routes.pane import fragment, pane_context

router = APIRouter(include_in_schema=False)


@router.get("/pane/beheer/inhoud", response_class=HTMLResponse)
async def admin_view(
    request: Request, user: CurrentUser, me: Me, deps: FlowDeps, session: SessionDep,
    mailbox: MailboxQuery,
) -> HTMLResponse:  # fmt: skip
    roster, today = me.roster, deps.today()
    authorize(roster, me.upn, Action.EDIT_CONFIGURATION)
    ctx = pane_context(user, roster, mailbox, today)
    executives = sorted(u for u, role in roster.roles.items() if role == "executive")
    front_office = [
        {
            "executive": roster.names.get(e, e),
            "front": roster.names.get(f, f) if (f := roster.front_office_on(e, today)) else None,
        }
        for e in executives
    ]
    return fragment(
        request, "views/beheer.html", ctx=ctx, today=today, front_office=front_office,
        audit=(await query(session, AuditFilter(), limit=10)).entries,
        quicksteps=await active(session), versions=(await versions(session))[:10],
        runs=await recent_runs(session, limit=15),
    )  # fmt: skip


class PublishRequest(BaseModel):
    text: str = Field(min_length=1, max_length=256 * 1024)
    note: str | None = Field(default=None, max_length=400)


@router.post("/pane/beheer/snelle-stappen", response_class=HTMLResponse)
async def publish_steps(
    request: Request, body: PublishRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the team's quick steps; refused whole, with every problem listed."""
    try:
        info = await flows.publish_steps(deps, me, body.text, body.note)
    except DefinitionError as exc:
        return fragment(request, "views/stappen_gepubliceerd.html", info=None,
                        problems=exc.problems, status_code=400)  # fmt: skip
    return fragment(request, "views/stappen_gepubliceerd.html", info=info, problems=[])
