"""Quick steps: the team's set (read by everyone, published by admins), preview and apply."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from automations.quicksteps import flows
from automations.quicksteps.service import read_version, versions
from automations.roster.policy import Action, authorize
from automations.yamlfile import MAX_BYTES
from server.deps import (
    CurrentUser,
    FlowDeps,
    KeepDelegation,
    Me,
    RosterDep,
    SessionDep,
    UserGraph,
)
from server.fields import BasedOn, ItemId, Mailbox, OperationId, RowId
from server.waiting import prefer_wait, waited

router = APIRouter(prefix="/api/v1/quicksteps", tags=["quicksteps"])

YAML_BODY = {"content": {"application/yaml": {"schema": {"type": "string"}}}, "required": True}


async def yaml_text(request: Request) -> str:
    """The YAML body, read to one byte past the files' limit: a bigger file is refused by the
    parser (and audited) without the whole of it in memory. The parse itself runs in a
    worker thread (``automations.versions``), off the event loop."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            break
    return bytes(body[: MAX_BYTES + 1]).decode("utf-8", errors="replace")


class Selection(BaseModel):
    mailbox: Mailbox
    step: str = Field(min_length=1, max_length=80)
    messages: list[ItemId] = Field(min_length=1, max_length=flows.MAX_MESSAGES)
    # What the step asks when applied, e.g. {"department": "burgerzaken"} for a dispatch.
    choices: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=80)]] = (
        Field(default_factory=dict, max_length=5)
    )


class ApplyRequest(Selection):
    # The client makes one id per click; sending it again (a retry, a double click) returns
    # the first result instead of doing anything twice.
    operation_id: OperationId
    # A colleague has "picked up" one of the messages: 409 "claimed" unless she goes ahead.
    despite_claim: bool = False


class UndoRequest(BaseModel):
    operation_id: OperationId
    undo_operation_id: OperationId


@router.get("", operation_id="list_quicksteps")
async def list_steps(deps: FlowDeps, me: Me) -> dict[str, Any]:
    """The steps of the active set that I may use, with what each does."""
    found = await flows.list_steps(deps, me)
    return {
        "version": found.version,
        "departments": found.departments,
        "steps": [asdict(s) for s in found.steps],
    }


@router.put(
    "", operation_id="publish_quicksteps", status_code=201, openapi_extra={"requestBody": YAML_BODY}
)
async def put_steps(
    request: Request,
    deps: FlowDeps,
    me: Me,
    note: Annotated[str | None, Query(max_length=400)] = None,
    based_on: BasedOn = None,
) -> dict[str, Any]:
    """Publish a new version (YAML body); a bad file is refused whole, the active one stays."""
    text = await yaml_text(request)
    return asdict(await flows.publish_steps(deps, me, text, note, based_on=based_on))


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
    version: RowId, user: CurrentUser, roster: RosterDep, session: SessionDep
) -> PlainTextResponse:
    """An old (or the current) version exactly as it was published."""
    authorize(roster, user.upn, Action.EDIT_CONFIGURATION)
    info, text = await read_version(session, version)
    return PlainTextResponse(
        text, media_type="application/yaml", headers={"X-Quicksteps-Version": str(info.version)}
    )


@router.post("/preview", operation_id="preview_quickstep")
async def preview_step(
    selection: Selection, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """What applying would change, per message; nothing is changed."""
    found = await flows.preview_step(deps, graph, me, mailbox=selection.mailbox,
                                     step=selection.step, messages=selection.messages,
                                     choices=selection.choices)  # fmt: skip
    return asdict(found)


@router.post(
    "/apply", operation_id="apply_quickstep",
    responses={202: {"description": "Several messages: handed to a worker, still running"}},
)  # fmt: skip
async def apply_step(
    body: Annotated[ApplyRequest, Body()], deps: FlowDeps, me: Me, graph: UserGraph,
    keep: KeepDelegation, response: Response, prefer: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:  # fmt: skip
    """Apply a step to the messages; per message and per action what was done. One message
    is applied at once (200). Several are a task a worker carries out, which survives the
    instance that took the click: 202 with ``status: running`` (follow it at ``GET
    /api/v1/quicksteps/applies/{operation_id}``), or 200 with the outcome within the seconds
    ``Prefer: wait=N`` allows."""
    if len(body.messages) == 1:
        results = await flows.apply_step(
            deps, graph, me, mailbox=body.mailbox, step=body.step, messages=body.messages,
            operation_id=body.operation_id, choices=body.choices,
            despite_claim=body.despite_claim,
        )  # fmt: skip
        return _applied(body.operation_id, results)
    await keep()
    await flows.start_step(
        deps, graph, me, mailbox=body.mailbox, step=body.step, messages=body.messages,
        operation_id=body.operation_id, choices=body.choices, despite_claim=body.despite_claim,
    )  # fmt: skip
    outcome = await waited(
        lambda: flows.step_outcome(deps, me, operation_id=body.operation_id),
        lambda found: found is not None, prefer_wait(prefer),
    )  # fmt: skip
    if outcome is None:
        response.status_code = 202
        response.headers["Location"] = f"/api/v1/quicksteps/applies/{body.operation_id}"
        return {"operation_id": body.operation_id, "status": "running", "messages": []}
    return _applied(body.operation_id, outcome)


@router.get("/applies/{operation_id}", operation_id="get_quickstep_apply",
            responses={202: {"description": "Still running"}})  # fmt: skip
async def apply_outcome(
    operation_id: Annotated[str, Path(min_length=1, max_length=64)], deps: FlowDeps, me: Me,
    response: Response,
) -> dict[str, Any]:  # fmt: skip
    """Where an apply handed to a worker stands: 202 with how many messages are done while it
    runs, 200 with the outcome per message once it is finished."""
    outcome = await flows.step_outcome(deps, me, operation_id=operation_id)
    if outcome is None:
        progress = await flows.apply_progress(deps, me, operation_id=operation_id)
        response.status_code = 202
        done = progress.done if progress else 0
        total = progress.total if progress else 0
        return {"operation_id": operation_id, "status": "running", "done": done,
                "total": total, "messages": []}  # fmt: skip
    return _applied(operation_id, outcome)


def _applied(operation_id: str, results: list[Any]) -> dict[str, Any]:
    done = all(a.status == "done" for r in results for a in r.actions)
    return {"operation_id": operation_id, "status": "done" if done else "failed",
            "messages": [asdict(r) for r in results]}  # fmt: skip


@router.post("/undo", operation_id="undo_quickstep")
async def undo_step(body: UndoRequest, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """Put back what Graph allows (folder, categories, flag, read, importance) of an apply,
    once: the same ``undo_operation_id`` again answers with the first result, another undo of
    the same apply is 409 ``already_undone`` (who undid it, and when)."""
    results = await flows.undo_step(deps, graph, me, operation_id=body.operation_id,
                                    undo_id=body.undo_operation_id)  # fmt: skip
    return {"messages": [asdict(r) for r in results]}
