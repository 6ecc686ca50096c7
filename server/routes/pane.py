"""The task pane: an HTML shell per pane, and its content as server-rendered fragments.

The shell needs no token (Outlook loads it before anyone signs in); the fragments do. The pane
says which mailbox it is in (its own, or the executive's it opened as delegate) with
``mailbox=``; the roster decides, before Graph is asked, whether the user may work there.
Errors on these paths come back as the HTML error fragment (see ``server.errors``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from automations.audit import AuditFilter, query
from automations.dispatch.service import check_answers, list_dispatches, remind
from automations.errors import AppError, BadRequest, NotFound
from automations.jobs.runner import recent_runs
from automations.mailboxes.reading import calendar_view, get_event, get_message
from automations.queue import claims
from automations.quicksteps import apply as quicksteps
from automations.quicksteps.definitions import DefinitionError
from automations.quicksteps.service import active, publish, versions
from automations.quicksteps.undo import MOVES as UNDO_MOVES
from automations.quicksteps.undo import PROPERTIES as UNDO_PROPERTIES
from automations.quicksteps.undo import undo
from automations.replies.service import DOCUMENT as REPLY_TEMPLATES
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize, may
from server.deps import (
    AMSTERDAM,
    CurrentUser,
    JournalDep,
    Now,
    RosterDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    Today,
    UserGraph,
)
from server.errors import ApiError
from server.pane import templates
from server.settings import Settings

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

OFFICE_JS_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
VIEWS = {
    "bericht": "Bericht",
    "agenda": "Agenda",
    "goedkeuren": "Goedkeuren",
    "werkvoorraad": "Werkvoorraad",
    "beheer": "Beheer",
}
ADMIN_VIEWS = frozenset({"beheer"})
BODY_LIMIT = 4000  # characters of mail text shown in a 320 px pane; the rest stays in Outlook

Mailbox = Annotated[str, Query(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
ItemId = Annotated[str | None, Query(max_length=512)]
ItemType = Annotated[str | None, Query(pattern="^(message|appointment)$")]


@dataclass(frozen=True)
class PaneContext:
    """Who is signed in and whose mailbox the pane is in, as the header shows it."""

    user: str
    user_name: str
    mailbox: str
    mailbox_name: str
    delegate: bool
    office: str | None  # "front" | "back" for a secretary in an executive's mailbox


def office_js_url(settings: Settings) -> str:
    """Microsoft's CDN in production; the harness's shim when running on the sandbox."""
    return f"{settings.base_url}/dev/office.js" if settings.mode == "sandbox" else OFFICE_JS_CDN


def pane_context(user: Any, roster: Roster, mailbox: str, today: dt.date) -> PaneContext:
    mailbox = mailbox.lower()
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
    office = None
    if roster.role(user.upn) == "secretary" and mailbox != user.upn:
        office = "front" if roster.front_office_on(mailbox, today) == user.upn else "back"
    return PaneContext(
        user=user.upn,
        user_name=user.name or roster.names.get(user.upn, user.upn),
        mailbox=mailbox,
        mailbox_name=roster.names.get(mailbox, mailbox),
        delegate=mailbox != user.upn,
        office=office,
    )


@dataclass(frozen=True)
class Selection:
    """Where the pane is, as it reports it: the mailbox (checked) and the selected item."""

    ctx: PaneContext
    item: str | None
    type: str | None  # "message" | "appointment", Office.js's itemType


async def _selection(
    user: CurrentUser,
    roster: RosterDep,
    today: Today,
    mailbox: Mailbox,
    item: ItemId = None,
    type: ItemType = None,  # noqa: A002 - the name Office.js uses
) -> Selection:
    return Selection(pane_context(user, roster, mailbox, today), item, type)


Selected = Annotated[Selection, Depends(_selection)]


async def active_steps(sessions: Any) -> quicksteps.ActiveSet | None:
    async with sessions() as session:
        return await active(session)


def _fragment(
    request: Request, name: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    values.setdefault("base_url", request.app.state.settings.base_url)
    return templates.TemplateResponse(request, name, values, status_code=status_code)


@router.get("/pane/")
@router.get("/pane")
async def pane_root(settings: SettingsDep) -> RedirectResponse:
    return RedirectResponse(f"{settings.base_url}/pane/bericht", status_code=307)


def _sign_in_config(request: Request, settings: Settings, **extra: Any) -> dict[str, Any]:
    identity = request.app.state.identity
    return {
        "baseUrl": settings.base_url,
        "clientId": identity.client_id,
        "authority": identity.authority,
        "apiScope": f"{identity.api_audience}/access_as_user",
        "sandbox": settings.mode == "sandbox",
        **extra,
    }


@router.get("/pane/aanmelden/dialoog", response_class=HTMLResponse)
async def sign_in_dialog(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The Office dialog the pane opens when the host has no nested app authentication."""
    return _fragment(
        request,
        "signin_dialog.html",
        config=_sign_in_config(request, settings),
        office_js_url=office_js_url(settings),
    )


@router.get("/pane/{view}", response_class=HTMLResponse)
async def shell(
    request: Request,
    view: str,
    settings: SettingsDep,
    tab: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z\-]*$")] = None,
) -> HTMLResponse:
    """The pane's page for Outlook: layout, navigation, and the script that signs in."""
    if view not in VIEWS:
        raise ApiError(404, "not_found", f"Onbekend onderdeel '{view}'.")
    config = _sign_in_config(request, settings, view=view, tab=tab)
    return _fragment(
        request,
        "shell.html",
        view=view,
        views=VIEWS,
        admin_views=ADMIN_VIEWS,
        config=config,
        office_js_url=office_js_url(settings),
    )


@router.get("/pane/bericht/inhoud", response_class=HTMLResponse)
async def message_view(
    request: Request,
    selected: Selected,
    user: CurrentUser,
    roster: RosterDep,
    graph: UserGraph,
    sessions: SessionsDep,
    today: Today,
    now: Now,
) -> HTMLResponse:
    message = None
    held = None
    if selected.item and selected.type != "appointment":
        message = await get_message(
            graph=graph,
            roster=roster,
            actor=user.upn,
            mailbox=selected.ctx.mailbox,
            message_id=selected.item,
        )
    body = message.body.strip() if message else ""
    steps, dispatched, reply_templates = [], [], []
    if message is not None:
        found = await active_steps(sessions)
        if found is not None:
            steps = [s for s in found.parsed.steps if quicksteps.may_use(s, roster, user.upn)]
        async with sessions() as session:
            replies = await REPLY_TEMPLATES.active(session)
        if replies is not None and not message.is_draft:
            reply_templates = replies.parsed.templates
        dispatched = await _dispatches_of(graph, sessions, selected.ctx.mailbox, message.id, today)
        async with sessions() as session:
            held = await claims.held_on_message(session, mailbox=selected.ctx.mailbox,
                                                message_id=message.id, now=now)  # fmt: skip
    return _fragment(
        request,
        "views/bericht.html",
        ctx=selected.ctx,
        message=message,
        body=body[:BODY_LIMIT],
        truncated=len(body) > BODY_LIMIT,
        steps=steps,
        dispatched=dispatched,
        reply_templates=reply_templates,
        may_file=message is not None and roster.role(user.upn) in ("secretary", "admin"),
        held=held,
        message_id=message.id if message else "",
        user=user.upn,
        names=roster.names,
        ask=False,
    )


@router.get("/pane/agenda/inhoud", response_class=HTMLResponse)
async def agenda_view(
    request: Request,
    selected: Selected,
    user: CurrentUser,
    roster: RosterDep,
    graph: UserGraph,
    today: Today,
) -> HTMLResponse:
    """The selected appointment and its day; for a message, today in the mailbox's calendar."""
    ctx = selected.ctx
    event = None
    day = today
    if selected.item and selected.type == "appointment":
        event = await get_event(
            graph=graph, roster=roster, actor=user.upn, mailbox=ctx.mailbox, event_id=selected.item
        )
        day = event.start.date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM)
    events = await calendar_view(
        graph=graph,
        roster=roster,
        actor=user.upn,
        mailbox=ctx.mailbox,
        start=start,
        end=start + dt.timedelta(days=1),
    )
    may_clear = may(roster, user.upn, Action.CLEAR_AGENDA, ctx.mailbox)
    return _fragment(
        request,
        "views/agenda.html",
        ctx=ctx,
        event=event,
        day=day,
        events=events,
        may_clear=may_clear,
    )


@router.get("/pane/beheer/inhoud", response_class=HTMLResponse)
async def admin_view(
    request: Request,
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    today: Today,
    mailbox: Mailbox,
) -> HTMLResponse:
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
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
    current = await active(session)
    runs = await recent_runs(session, limit=15)
    return _fragment(
        request,
        "views/beheer.html",
        ctx=ctx,
        today=today,
        front_office=front_office,
        audit=audit,
        quicksteps=current,
        versions=(await versions(session))[:10],
        runs=runs,
    )


class PublishRequest(BaseModel):
    text: str = Field(min_length=1, max_length=256 * 1024)
    note: str | None = Field(default=None, max_length=400)


@router.post("/pane/beheer/snelle-stappen", response_class=HTMLResponse)
async def publish_steps(
    request: Request,
    body: PublishRequest,
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
) -> HTMLResponse:
    """A new version of the team's quick steps; refused whole, with every problem listed."""
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    try:
        info = await publish(session, body.text, author=user.upn, note=body.note)
    except DefinitionError as exc:
        await session.commit()  # the refusal is audited
        return _fragment(
            request, "views/stappen_gepubliceerd.html", info=None, problems=exc.problems,
            status_code=400,
        )  # fmt: skip
    await session.commit()
    return _fragment(request, "views/stappen_gepubliceerd.html", info=info, problems=[])


class StepRequest(BaseModel):
    mailbox: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    step: str = Field(min_length=1, max_length=80)
    messages: list[Annotated[str, Field(min_length=1, max_length=512)]] = Field(
        min_length=1, max_length=quicksteps.MAX_MESSAGES
    )
    operation_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9\-_]{8,64}$")
    choices: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=80)]] = (
        Field(default_factory=dict, max_length=5)
    )
    despite_claim: bool = False  # she was told a colleague works on it and goes ahead


async def _steps_or_404(sessions: Any) -> quicksteps.ActiveSet:
    found = await active_steps(sessions)
    if found is None:
        raise NotFound("Er zijn nog geen snelle stappen ingesteld; vraag de beheerder.")
    return found


@router.post("/pane/snelle-stappen/voorbeeld", response_class=HTMLResponse)
async def step_preview(
    request: Request,
    body: StepRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    today: Today,
) -> HTMLResponse:
    """What the step will do to the selected message(s), with the button that does it."""
    found = await quicksteps.preview(
        graph=graph,
        roster=roster,
        actor=user.upn,
        mailbox=body.mailbox,
        steps=await _steps_or_404(sessions),
        name=body.step,
        message_ids=body.messages,
        today=today,
        choices=body.choices,
    )
    return _fragment(
        request, "views/stap_voorbeeld.html", preview=found, operation_id=str(uuid.uuid4())
    )


@router.post("/pane/snelle-stappen/toepassen", response_class=HTMLResponse)
async def step_apply(
    request: Request,
    body: StepRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    journal: JournalDep,
    today: Today,
    now: Now,
) -> HTMLResponse:
    """Apply; the operation id came with the preview, so a second click changes nothing."""
    if body.operation_id is None:
        raise BadRequest("Bekijk eerst wat de snelle stap doet.")
    await claims.ensure_free(
        sessions,
        mailbox=body.mailbox.lower(),
        message_ids=body.messages,
        actor=user.upn,
        now=now.astimezone(dt.UTC),
        names=roster.names,
        despite=body.despite_claim,
    )
    results = await quicksteps.apply(
        graph=graph,
        journal=journal,
        sessions=sessions,
        roster=roster,
        actor=user.upn,
        mailbox=body.mailbox,
        steps=await _steps_or_404(sessions),
        name=body.step,
        message_ids=body.messages,
        operation_id=body.operation_id,
        today=today,
        choices=body.choices,
    )
    return _fragment(
        request,
        "views/stap_uitkomst.html",
        step=body.step,
        results=results,
        operation_id=body.operation_id,
        undoable=any(
            a.status == "done" and (a.action in UNDO_PROPERTIES or a.action in UNDO_MOVES)
            for r in results
            for a in r.actions
        ),
    )


class UndoRequest(BaseModel):
    operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")
    undo_operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")


@router.post("/pane/snelle-stappen/ongedaan-maken", response_class=HTMLResponse)
async def step_undo(
    request: Request,
    body: UndoRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    journal: JournalDep,
) -> HTMLResponse:
    results = await undo(
        graph=graph,
        journal=journal,
        sessions=sessions,
        roster=roster,
        actor=user.upn,
        operation_id=body.operation_id,
        undo_id=body.undo_operation_id,
    )
    return _fragment(request, "views/stap_ongedaan.html", results=results)


async def _dispatches_of(
    graph: Any, sessions: Any, mailbox: str, message_id: str, today: dt.date
) -> list[Any]:
    """This message's dispatches; with open ones, first a look for answers (a cheap delta)."""

    async def listed() -> list[Any]:
        async with sessions() as session:
            return await list_dispatches(
                session, mailboxes=[mailbox], today=today, message_id=message_id
            )

    found = await listed()
    if any(d.status == "open" for d in found):
        try:
            if await check_answers(graph, sessions, mailbox):
                found = await listed()
        except AppError as exc:  # the pane still shows what it knows
            log.info("no answer check for %s: %s", mailbox, exc)
    return found


class ReminderRequest(BaseModel):
    operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")


@router.post("/pane/uitzettingen/{dispatch_id}/herinneren", response_class=HTMLResponse)
async def dispatch_reminder(
    request: Request,
    dispatch_id: str,
    body: ReminderRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
) -> HTMLResponse:
    """One reminder to the department (the click's operation id keeps it to one)."""
    found = await remind(
        graph,
        sessions,
        roster=roster,
        dispatch_id=dispatch_id,
        actor=user.upn,
        operation_id=body.operation_id,
    )
    return _fragment(request, "views/herinnering.html", dispatch=found)


@router.get("/help", response_class=HTMLResponse)
async def help_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The manifest's SupportUrl: what the add-in does and whom to ask."""
    return _fragment(request, "help.html", sandbox=settings.mode == "sandbox")
