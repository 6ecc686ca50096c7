"""Reply templates: the team's set (read by everyone, published by admins) and a preview."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from automations.replies import flows
from server.deps import FlowDeps, Me, UserGraph
from server.fields import BasedOn, ItemId, Mailbox, RowId
from server.routes.quicksteps import yaml_text

router = APIRouter(prefix="/api/v1/templates", tags=["templates"])

YAML_BODY = {"content": {"application/yaml": {"schema": {"type": "string"}}}, "required": True}


class PreviewRequest(BaseModel):
    mailbox: Mailbox
    message: ItemId
    template: str = Field(min_length=1, max_length=80)


@router.get("", operation_id="list_templates")
async def list_templates(deps: FlowDeps, me: Me) -> dict[str, Any]:
    """The active set: its version, the variables a template may use, and the templates."""
    return asdict(await flows.list_templates(deps, me))


@router.put(
    "", operation_id="publish_templates", status_code=201, openapi_extra={"requestBody": YAML_BODY}
)
async def put_templates(
    request: Request,
    deps: FlowDeps,
    me: Me,
    note: Annotated[str | None, Query(max_length=400)] = None,
    based_on: BasedOn = None,
) -> dict[str, Any]:
    """Publish a new version (YAML body); a bad file is refused whole, the active one stays."""
    text = await yaml_text(request)
    return asdict(await flows.publish_templates(deps, me, text, note, based_on=based_on))


@router.get("/versions", operation_id="list_template_versions")
async def list_versions(deps: FlowDeps, me: Me) -> dict[str, Any]:
    return {"versions": [asdict(v) for v in await flows.template_versions(deps, me)]}


@router.get(
    "/versions/{version}", operation_id="get_template_version", response_class=PlainTextResponse
)
async def get_version(version: RowId, deps: FlowDeps, me: Me) -> PlainTextResponse:
    """An old (or the current) version exactly as it was published."""
    info, text = await flows.template_version(deps, me, version)
    return PlainTextResponse(
        text, media_type="application/yaml", headers={"X-Templates-Version": str(info.version)}
    )


@router.post("/preview", operation_id="preview_template")
async def preview(body: PreviewRequest, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """The template rendered against a real message in the executive's mailbox."""
    rendered = await flows.preview_template(deps, graph, me, mailbox=body.mailbox,
                                            message_id=body.message,
                                            template=body.template)  # fmt: skip
    return asdict(rendered)
