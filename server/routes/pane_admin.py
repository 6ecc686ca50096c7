"""The pane's Beheer (admins): who is front office today, recent audit lines and job runs,
running a job now (or its dry run), and publishing the team's quick steps and reply templates
in a YAML editor that puts each problem beside its line, or through a form for the common
changes (a department, a quick step, a reply template) that publishes the same way."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditFilter, AuditRecord, query
from automations.audit.labels import ACTORS, OUTCOMES
from automations.audit.labels import label_of as action_label
from automations.jobs.catalog import JOBS, label_of
from automations.jobs.runner import recent_runs
from automations.quicksteps import editing, flows
from automations.quicksteps.service import DefinitionError, active, versions
from automations.replies import editing as reply_editing
from automations.replies import flows as reply_flows
from automations.replies.service import DOCUMENT as REPLY_TEMPLATES
from automations.replies.service import TemplateError
from automations.roster.policy import Action, authorize
from automations.versions import Active, Superseded, VersionInfo
from automations.yamltext import FormError
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
    audit = (await query(session, AuditFilter(), limit=10)).entries
    return fragment(
        request, "views/beheer.html", ctx=ctx, today=today, front_office=front_office,
        audit=_audit_lines(audit, roster.names), names=roster.names,
        quicksteps=await active(session), versions=(await versions(session))[:10],
        templates=await REPLY_TEMPLATES.active(session),
        runs=await recent_runs(session, limit=15), label_of=label_of,
        jobs=[{"name": j.name, "label": label_of(j.name), "description": j.description}
              for j in JOBS.values()],
        **FORM_CHOICES,
    )  # fmt: skip


def _audit_lines(entries: Sequence[AuditRecord], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Audit entries as Beheer shows them: people by name, what happened in Dutch, the job or
    version it was about, and the outcome unless it succeeded."""
    lines = []
    for a in entries:
        details = a.details or {}
        job, version = details.get("job"), details.get("version")
        about = label_of(job) if isinstance(job, str) else None
        if about is None and isinstance(version, int) and a.action.endswith(".publish"):
            about = f"versie {version}"
        lines.append({
            "at": a.at, "actor": names.get(a.actor) or ACTORS.get(a.actor, a.actor),
            "action": action_label(a.action),
            "about": about, "mailbox": names.get(a.mailbox, a.mailbox) if a.mailbox else None,
            "outcome": OUTCOMES.get(a.outcome) if a.outcome != "success" else None,
        })  # fmt: skip
    return lines


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
    based_on: int | None = Field(default=None, ge=0)  # the version the editor showed


# The YAML loaders name the line first: "regel 14: …" or "regel 14, steps[2].name: …".
LINE = re.compile(r"^regel (\d+)\b")


def _published(
    request: Request, editor: str, info: object | None, problems: list[str],
    names: Mapping[str, str],
) -> HTMLResponse:  # fmt: skip
    """The outcome under an editor: the new version, or every problem with its line."""
    lines = [
        (int(m.group(1)), p[m.end() :].lstrip(":, ")) if (m := LINE.match(p)) else (None, p)
        for p in problems
    ]
    return fragment(request, "views/stappen_gepubliceerd.html", info=info, problems=lines,
                    editor=editor, names=names,
                    status_code=400 if problems else 200)  # fmt: skip


@router.post("/pane/beheer/snelle-stappen", response_class=HTMLResponse)
async def publish_steps(
    request: Request, body: PublishRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the team's quick steps; refused whole, with every problem listed."""
    names = me.roster.names
    try:
        info = await flows.publish_steps(deps, me, body.text, body.note, based_on=body.based_on)
    except DefinitionError as exc:
        return _published(request, "stappen-tekst", None, exc.problems, names)
    except Superseded as exc:  # the editor keeps the text: nothing typed is lost
        return _published(request, "stappen-tekst", None, [exc.message], names)
    return _published(request, "stappen-tekst", info, [], names)


@router.post("/pane/beheer/sjablonen", response_class=HTMLResponse)
async def publish_templates(
    request: Request, body: PublishRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the team's reply templates; refused whole, every problem listed."""
    names = me.roster.names
    try:
        info = await reply_flows.publish_templates(
            deps, me, body.text, body.note, based_on=body.based_on
        )
    except TemplateError as exc:
        return _published(request, "sjablonen-tekst", None, exc.problems, names)
    except Superseded as exc:  # the editor keeps the text: nothing typed is lost
        return _published(request, "sjablonen-tekst", None, [exc.message], names)
    return _published(request, "sjablonen-tekst", info, [], names)


# What the forms offer; each choice is checked again when the addition is made.
FORM_CHOICES: dict[str, Any] = {
    "icons": list(editing.ICONS.items()),
    "due": [("", "Niet markeren"), *editing.DUE_CHOICES.items()],
    "styles": [(s, s) for s in reply_editing.STYLES],
    "skeleton": reply_editing.SKELETON,
}
# The fields as the form sends them; what they must hold, the domain checks (in Dutch).
Short = Annotated[str, Field(max_length=4000)]


class DepartmentRequest(BaseModel):
    name: Short = ""
    key: Short = ""
    address: Short = ""
    subjects: Short = ""


class StepRequest(BaseModel):
    name: Short = ""
    description: Short = ""
    icon: Short = ""
    category: Short = ""
    flag: Short = ""
    mark_read: bool = False
    folder: Short = ""


class TemplateRequest(BaseModel):
    name: Short = ""
    description: Short = ""
    style: Short = ""
    body: Annotated[str, Field(max_length=64 * 1024)] = ""


def _form(
    request: Request, form: str, names: Mapping[str, str], *, values: BaseModel | None = None,
    problem: FormError | None = None, done: dict[str, Any] | None = None,
) -> HTMLResponse:  # fmt: skip
    """A form again: with her values and each problem under its field (400), or empty with
    what was published and the new text for the editor (200)."""
    return fragment(
        request, "views/beheer_formulier.html", form=form, names=names,
        values=values.model_dump() if values is not None else {},
        errors=problem.fields if problem else {}, general=problem.general if problem else [],
        done=done, status_code=400 if problem else 200, **FORM_CHOICES,
    )  # fmt: skip


async def _done(
    deps: FlowDeps, document: Callable[[AsyncSession], Awaitable[Active[Any] | None]],
    info: VersionInfo, added: str,
) -> dict[str, Any]:  # fmt: skip
    """What the form says after a publish: the version and its text (for the editor)."""
    async with deps.sessions() as session:
        found = await document(session)
    text = found.text if found is not None and found.info.version == info.version else ""
    return {"info": info, "text": text, "added": added}


@router.post("/pane/beheer/snelle-stappen/afdeling", response_class=HTMLResponse)
async def add_department(
    request: Request, body: DepartmentRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the quick steps with one more department for "uitzetten"."""
    form = editing.DepartmentForm(name=body.name, key=body.key, address=body.address,
                                  subjects=body.subjects)  # fmt: skip
    try:
        info = await editing.add_department(deps, me, form)
    except FormError as exc:
        return _form(request, "afdeling", me.roster.names, values=body, problem=exc)
    except DefinitionError as exc:
        return _form(request, "afdeling", me.roster.names, values=body,
                     problem=FormError({}, exc.problems))  # fmt: skip
    done = await _done(deps, active, info, body.name.strip())
    return _form(request, "afdeling", me.roster.names, done=done)


@router.post("/pane/beheer/snelle-stappen/stap", response_class=HTMLResponse)
async def add_step(request: Request, body: StepRequest, deps: FlowDeps, me: Me) -> HTMLResponse:
    """A new version of the quick steps with one more step of simple actions."""
    form = editing.StepForm(
        name=body.name, description=body.description, icon=body.icon, category=body.category,
        flag=body.flag, mark_read=body.mark_read, folder=body.folder,
    )  # fmt: skip
    try:
        info = await editing.add_step(deps, me, form)
    except FormError as exc:
        return _form(request, "stap", me.roster.names, values=body, problem=exc)
    except DefinitionError as exc:
        return _form(request, "stap", me.roster.names, values=body,
                     problem=FormError({}, exc.problems))  # fmt: skip
    done = await _done(deps, active, info, body.name.strip())
    return _form(request, "stap", me.roster.names, done=done)


@router.post("/pane/beheer/sjablonen/sjabloon", response_class=HTMLResponse)
async def add_template(
    request: Request, body: TemplateRequest, deps: FlowDeps, me: Me
) -> HTMLResponse:
    """A new version of the reply templates with one more template."""
    form = reply_editing.TemplateForm(name=body.name, description=body.description,
                                      style=body.style, body=body.body)  # fmt: skip
    try:
        info = await reply_editing.add_template(deps, me, form)
    except FormError as exc:
        return _form(request, "sjabloon", me.roster.names, values=body, problem=exc)
    except TemplateError as exc:
        return _form(request, "sjabloon", me.roster.names, values=body,
                     problem=FormError({}, exc.problems))  # fmt: skip
    done = await _done(deps, REPLY_TEMPLATES.active, info, body.name.strip())
    return _form(request, "sjabloon", me.roster.names, done=done)
