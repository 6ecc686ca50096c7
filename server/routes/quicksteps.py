"""Quick steps: the team's set (read by everyone, published by admins), preview and apply."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from automations.errors import NotFound
from automations.queue import claims
from automations.quicksteps import apply as quicksteps
from automations.quicksteps import effects
from automations.quicksteps.service import active, publish, read_version, versions
from automations.quicksteps.undo import undo
from automations.roster.policy import Action, authorize
from server.deps import (
    CurrentUser,
    JournalDep,
    Now,
    RosterDep,
    SessionDep,
    SessionsDep,
    Today,
    UserGraph,
)

router = APIRouter(prefix="/api/v1/quicksteps", tags=["quicksteps"])

YAML_BODY = {"content": {"application/yaml": {"schema": {"type": "string"}}}, "required": True}


class Selection(BaseModel):
    mailbox: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    step: str = Field(min_length=1, max_length=80)
    messages: list[Annotated[str, Field(min_length=1, max_length=512)]] = Field(
        min_length=1, max_length=quicksteps.MAX_MESSAGES
    )
    # What the step asks when applied, e.g. {"department": "burgerzaken"} for a dispatch.
    choices: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=80)]] = (
        Field(default_factory=dict, max_length=5)
    )


class ApplyRequest(Selection):
    # The client makes one id per click; sending it again (a retry, a double click) returns
    # the first result instead of doing anything twice.
    operation_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")
    # A colleague has "picked up" one of the messages: 409 "claimed" unless she goes ahead.
    despite_claim: bool = False


async def _active(session: Any) -> quicksteps.ActiveSet:
    """The active set; ``session`` may be a session or a session factory (closed at once)."""
    if callable(session):
        async with session() as own:
            return await _active(own)
    steps = await active(session)
    if steps is None:
        raise NotFound("Er zijn nog geen snelle stappen ingesteld; vraag de beheerder.")
    return steps


class UndoRequest(BaseModel):
    operation_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")
    undo_operation_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")


@router.get("", operation_id="list_quicksteps")
async def list_steps(
    user: CurrentUser, roster: RosterDep, session: SessionDep, today: Today
) -> dict[str, Any]:
    """The steps of the active set that I may use, with what each does."""
    steps = await _active(session)
    usable = [s for s in steps.parsed.steps if quicksteps.may_use(s, roster, user.upn)]
    return {
        "version": steps.info.version,
        "departments": [d.model_dump() for d in steps.parsed.departments],
        "steps": [
            {
                "name": s.name,
                "icon": s.icon,
                "description": s.description,
                "shortcut": s.shortcut,
                "sends_mail": s.sends_mail,
                "asks_department": s.asks_department,
                "actions": [effects.describe(a, today, set(), set()) for a in s.actions],
            }
            for s in usable
        ],
    }


@router.put(
    "", operation_id="publish_quicksteps", status_code=201, openapi_extra={"requestBody": YAML_BODY}
)
async def put_steps(
    request: Request,
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    note: Annotated[str | None, Query(max_length=400)] = None,
) -> dict[str, Any]:
    """Publish a new version (YAML body); a bad file is refused whole, the active one stays."""
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        info = await publish(session, text, author=user.upn, note=note)
    finally:
        await session.commit()  # the version, or the audit entry of the refusal
    return asdict(info)


@router.get("/versions", operation_id="list_quickstep_versions")
async def list_versions(
    user: CurrentUser, roster: RosterDep, session: SessionDep
) -> dict[str, Any]:
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    return {"versions": [asdict(v) for v in await versions(session)]}


@router.get(
    "/versions/{version}", operation_id="get_quickstep_version", response_class=PlainTextResponse
)
async def get_version(
    version: int, user: CurrentUser, roster: RosterDep, session: SessionDep
) -> PlainTextResponse:
    """An old (or the current) version exactly as it was published."""
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    info, text = await read_version(session, version)
    return PlainTextResponse(
        text, media_type="application/yaml", headers={"X-Quicksteps-Version": str(info.version)}
    )


@router.post("/preview", operation_id="preview_quickstep")
async def preview_step(
    selection: Selection,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    today: Today,
) -> dict[str, Any]:
    """What applying would change, per message; nothing is changed."""
    found = await quicksteps.preview(
        graph=graph,
        roster=roster,
        actor=user.upn,
        mailbox=selection.mailbox,
        steps=await _active(sessions),
        name=selection.step,
        message_ids=selection.messages,
        today=today,
        choices=selection.choices,
    )
    return asdict(found)


@router.post("/apply", operation_id="apply_quickstep")
async def apply_step(
    body: Annotated[ApplyRequest, Body()],
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    journal: JournalDep,
    today: Today,
    now: Now,
) -> dict[str, Any]:
    """Apply a step to the messages; per message and per action what was done."""
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
        steps=await _active(sessions),
        name=body.step,
        message_ids=body.messages,
        operation_id=body.operation_id,
        today=today,
        choices=body.choices,
    )
    return {"operation_id": body.operation_id, "messages": [asdict(r) for r in results]}


@router.post("/undo", operation_id="undo_quickstep")
async def undo_step(
    body: UndoRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    journal: JournalDep,
) -> dict[str, Any]:
    """Put back what Graph allows (folder, categories, flag, read, importance) of an apply."""
    results = await undo(
        graph=graph,
        journal=journal,
        sessions=sessions,
        roster=roster,
        actor=user.upn,
        operation_id=body.operation_id,
        undo_id=body.undo_operation_id,
    )
    return {"messages": [asdict(r) for r in results]}
