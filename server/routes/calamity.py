"""Calamity clear (agenda leegmaken) and the reschedule backlog (herplannen)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from automations.calamity import flows
from automations.calamity.models import CANCEL_MESSAGE, DECLINE_MESSAGE, ClearSettings
from server.deps import ClearGraph, FlowDeps, Me, SettingsDep, UserGraph
from server.fields import EventId, Mailbox, OperationId, OptionalMailboxQuery
from server.settings import Settings

__all__ = ["clear_settings", "router"]

router = APIRouter(tags=["calamity"])


class Window(BaseModel):
    mailbox: Mailbox
    start: AwareDatetime
    end: AwareDatetime
    # Items whose decision the secretary flipped: kept ones to clear, cleared ones to keep.
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


class ClearRequest(Window):
    operation_id: OperationId  # from the preview: a second click resumes, never repeats
    cancel_message: str = Field(default=CANCEL_MESSAGE, min_length=1, max_length=4000)
    decline_message: str = Field(default=DECLINE_MESSAGE, min_length=1, max_length=4000)
    calamity: str = Field(default="", max_length=400)  # what happened, for the backlog


class PlanRequest(BaseModel):
    start: AwareDatetime


class DropRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def clear_settings(settings: Settings) -> ClearSettings:
    return ClearSettings(
        keep_categories=tuple(settings.calamity_keep_categories),
        remove_appointments=settings.calamity_remove_appointments,
    )


@router.post("/api/v1/calamity/preview", operation_id="preview_calamity_clear")
async def preview_clear(
    body: Window, deps: FlowDeps, me: Me, graph: ClearGraph, settings: SettingsDep
) -> dict[str, Any]:
    """What clearing the window would do to each item (nothing changes)."""
    report = await flows.preview_clear(
        deps, graph, me, mailbox=body.mailbox, start=body.start, end=body.end,
        settings=clear_settings(settings), toggled=body.toggled,
    )  # fmt: skip
    return asdict(report)


@router.post("/api/v1/calamity/execute", operation_id="execute_calamity_clear")
async def execute_clear(
    body: ClearRequest, deps: FlowDeps, me: Me, graph: ClearGraph, settings: SettingsDep
) -> dict[str, Any]:
    """Cancel, decline and remove as previewed; again under the same id finishes the rest."""
    report = await flows.execute_clear(
        deps, graph, me, mailbox=body.mailbox, start=body.start, end=body.end,
        settings=clear_settings(settings), operation_id=body.operation_id, toggled=body.toggled,
        cancel_message=body.cancel_message, decline_message=body.decline_message,
        calamity=body.calamity,
    )  # fmt: skip
    return asdict(report)


@router.get("/api/v1/calamity/{operation_id}", operation_id="get_calamity_clear")
async def progress(operation_id: str, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """Where a clear stands, item by item (the pane polls this while it runs); ``status`` is
    ``interrupted`` when its worker died midway (``resume`` finishes it)."""
    return asdict(await flows.clear_progress(deps, me, operation_id=operation_id))


@router.post("/api/v1/calamity/{operation_id}/resume", operation_id="resume_calamity_clear")
async def resume(operation_id: str, deps: FlowDeps, me: Me, graph: ClearGraph) -> dict[str, Any]:
    """Finish an interrupted clear as it was planned; what was done is not done again."""
    return asdict(await flows.resume_clear(deps, graph, me, operation_id=operation_id))


@router.get("/api/v1/backlog", operation_id="list_backlog")
async def list_backlog(
    deps: FlowDeps,
    me: Me,
    mailbox: OptionalMailboxQuery = None,
    status: Literal["open", "planned", "dropped"] | None = "open",
) -> dict[str, Any]:
    """What waits to be planned again, in the mailboxes I work in (or one of them)."""
    found = await flows.list_backlog(deps, me, mailbox=mailbox, status=status)
    return {"backlog": [asdict(e) for e in found]}


@router.post("/api/v1/backlog/{entry_id}/proposals", operation_id="propose_backlog_slots")
async def proposals(entry_id: str, deps: FlowDeps, me: Me, graph: UserGraph) -> dict[str, Any]:
    """Free moments for the executive and the original attendees (findMeetingTimes)."""
    slots = await flows.propose_slots(deps, graph, me, entry_id=entry_id)
    return {"slots": [asdict(s) for s in slots]}


@router.post("/api/v1/backlog/{entry_id}/plan", operation_id="replan_backlog_entry")
async def plan(
    entry_id: str, body: PlanRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Invite the original attendees at the chosen moment (once, however often clicked)."""
    return asdict(await flows.plan_entry(deps, graph, me, entry_id=entry_id, start=body.start))


@router.post("/api/v1/backlog/{entry_id}/drop", operation_id="drop_backlog_entry")
async def drop(entry_id: str, body: DropRequest, deps: FlowDeps, me: Me) -> dict[str, Any]:
    return asdict(await flows.drop_entry(deps, me, entry_id=entry_id, reason=body.reason))
