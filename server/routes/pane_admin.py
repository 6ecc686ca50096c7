"""The pane's Beheer (admins): who is front office today, recent audit lines and job runs,
running a job now (or its dry run), and publishing the team's quick steps and reply templates
in a YAML editor that puts each problem beside its line."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.audit import AuditFilter, query
from automations.jobs.catalog import JOBS, label_of
from automations.jobs.runner import recent_runs
from automations.quicksteps import flows
from automations.quicksteps.service import DefinitionError, active, versions
from automations.replies import flows as reply_flows
from automations.replies.service import DOCUMENT as REPLY_TEMPLATES
from automations.replies.service import TemplateError
from automations.roster.policy import Action, authorize
from server.deps import CurrentUser, FlowDeps, Me, SessionDep, SettingsDep
from server.fields import MailboxQuery
from server.operator import run_job_for_admin
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
        templates=await REPLY_TEMPLATES.active(session),
        runs=await recent_runs(session, limit=15), label_of=label_of,
        jobs=[{"name": j.name, "label": label_of(j.name), "description": j.description}
              for j in JOBS.values()],
    )  # fmt: skip


JobName = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z][a-z\-]*$")]


class RunJobRequest(BaseModel):
    dry_run: bool = False


@router.post("/pane/beheer/taken/{name}", response_class=HTMLResponse)
async def run_job_now(
    request: Request, name: JobName, body: RunJobRequest, me: Me, deps: FlowDeps,
    settings: SettingsDep,
) -> HTMLResponse:  # fmt: skip
    """Run a scheduled job now, or only its dry run (``operator.run_job_for_admin``)."""
    report = await run_job_for_admin(
        request.app.state.gateway, deps.sessions, me.roster, settings, actor=me.upn, name=name,
        dry_run=body.dry_run,
    )  # fmt: skip
    return fragment(
        request,
        "views/taak_uitkomst.html",
        report=report,
        label=label_of(name),
        names=me.roster.names,
    )


class PublishRequest(BaseModel):
    text: str = Field(min_length=1, max_length=256 * 1024)
    note: str | None = Field(default=None, max_length=400)


# The YAML loaders name the line first: "regel 14: …" or "regel 14, steps[2].name: …".
LINE = re.compile(r"^regel (\d+)\b")


def _published(
    request: Request, editor: str, info: object | None, problems: list[str]
) -> HTMLResponse:
    """The outcome under an editor: the new version, or every problem with its line."""
    lines = [
        (int(m.group(1)), p[m.end() :].lstrip(":, ")) if (m := LINE.match(p)) else (None, p)
        for p in problems
    ]
    return fragment(request, "views/stappen_gepubliceerd.html", info=info, problems=lines,
                    editor=editor, status_code=400 if problems else 200)  # fmt: skip


@router.post("/pane/beheer/snelle-stappen", response_class=HTMLResponse)
async def publish_steps(
    request: Request, body: PublishRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the team's quick steps; refused whole, with every problem listed."""
    try:
        info = await flows.publish_steps(deps, me, body.text, body.note)
    except DefinitionError as exc:
        return _published(request, "stappen-tekst", None, exc.problems)
    return _published(request, "stappen-tekst", info, [])


@router.post("/pane/beheer/sjablonen", response_class=HTMLResponse)
async def publish_templates(
    request: Request, body: PublishRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the team's reply templates; refused whole, every problem listed."""
    try:
        info = await reply_flows.publish_templates(deps, me, body.text, body.note)
    except TemplateError as exc:
        return _published(request, "sjablonen-tekst", None, exc.problems)
    return _published(request, "sjablonen-tekst", info, [])
