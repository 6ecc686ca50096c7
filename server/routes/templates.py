"""Reply templates: the team's set (read by everyone, published by admins) and a preview."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from automations.errors import NotFound
from automations.replies.drafts import render_reply
from automations.replies.service import DOCUMENT, ActiveTemplates
from automations.replies.templates import VARIABLES
from automations.roster.policy import Action, authorize
from server.deps import CurrentUser, RosterDep, SessionDep, SessionsDep, Today, UserGraph

router = APIRouter(prefix="/api/v1/templates", tags=["templates"])

YAML_BODY = {"content": {"application/yaml": {"schema": {"type": "string"}}}, "required": True}
Mailbox = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
ItemId = Annotated[str, Field(min_length=1, max_length=512)]


class PreviewRequest(BaseModel):
    mailbox: Mailbox
    message: ItemId
    template: str = Field(min_length=1, max_length=80)


async def active_templates(sessions: Any) -> ActiveTemplates:
    """The active set, read in a session of its own (closed before any Graph call)."""
    async with sessions() as session:
        found = await DOCUMENT.active(session)
    if found is None:
        raise NotFound("Er zijn nog geen antwoordsjablonen ingesteld; vraag de beheerder.")
    return found


@router.get("", operation_id="list_templates")
async def list_templates(user: CurrentUser, sessions: SessionsDep) -> dict[str, Any]:
    found = await active_templates(sessions)
    return {
        "version": found.info.version,
        "variables": VARIABLES,
        "templates": [
            t.model_dump(include={"name", "description", "style", "reply_all"})
            for t in found.parsed.templates
        ],
    }


@router.put(
    "", operation_id="publish_templates", status_code=201, openapi_extra={"requestBody": YAML_BODY}
)
async def put_templates(
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
        info = await DOCUMENT.publish(session, text, author=user.upn, note=note)
    finally:
        await session.commit()  # the version, or the audit entry of the refusal
    return asdict(info)


@router.get("/versions", operation_id="list_template_versions")
async def list_versions(
    user: CurrentUser, roster: RosterDep, session: SessionDep
) -> dict[str, Any]:
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    return {"versions": [asdict(v) for v in await DOCUMENT.versions(session)]}


@router.get(
    "/versions/{version}", operation_id="get_template_version", response_class=PlainTextResponse
)
async def get_version(
    version: int, user: CurrentUser, roster: RosterDep, session: SessionDep
) -> PlainTextResponse:
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    info, text = await DOCUMENT.read_version(session, version)
    return PlainTextResponse(
        text, media_type="application/yaml", headers={"X-Templates-Version": str(info.version)}
    )


@router.post("/preview", operation_id="preview_template")
async def preview(
    body: PreviewRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    today: Today,
) -> dict[str, Any]:
    """The template rendered against a real message in the executive's mailbox."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox)
    found = await active_templates(sessions)
    rendered = await render_reply(
        graph,
        found.parsed,
        mailbox=body.mailbox,
        message_id=body.message,
        template=body.template,
        actor=user.upn,
        today=today,
    )
    return asdict(rendered)
