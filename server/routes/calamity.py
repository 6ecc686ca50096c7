"""Calamity clear (agenda leegmaken) and the reschedule backlog (herplannen)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime, BaseModel, Field

from automations.calamity import flows
from automations.calamity.models import (
    CANCEL_MESSAGE,
    DECLINE_MESSAGE,
    ClearGroup,
    ClearReport,
    ClearSettings,
)
from server.deps import ClearGraph, FlowDeps, HandingOver, Me, SettingsDep, UserGraph
from server.fields import EventId, Mailbox, OperationId, OptionalMailboxQuery
from server.settings import Settings
from server.waiting import prefer_wait, waited

__all__ = ["clear_settings", "router"]

router = APIRouter(tags=["calamity"])
RUNNING = ("running", "interrupted")  # a worker has it, or will take it up again


# The quick choices (automations.calamity.models.WINDOWS), computed from the clock.
WindowName = Literal["vanmiddag", "vandaag", "morgenochtend", "morgen", "week"]
Mailboxes = Annotated[list[Mailbox], Field(min_length=1, max_length=flows.MAX_GROUP)]


class Window(BaseModel):
    mailbox: Mailbox
    # A quick choice, or an explicit start and end (422 ``invalid_window`` when neither, when
    # the end is not after the start, or when it spans over 14 days).
    window: WindowName | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    # Items whose decision the secretary flipped: kept ones to clear, cleared ones to keep.
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


class Messages(BaseModel):
    start: AwareDatetime  # the preview's start and end: it clears exactly what was shown
    end: AwareDatetime
    operation_id: OperationId  # from the preview: a second click resumes, never repeats
    toggled: list[EventId] = Field(default_factory=list, max_length=500)
    cancel_message: str = Field(default=CANCEL_MESSAGE, min_length=1, max_length=4000)
    decline_message: str = Field(default=DECLINE_MESSAGE, min_length=1, max_length=4000)
    calamity: str = Field(default="", max_length=400)  # what happened, for the backlog


class ClearRequest(Messages):
    mailbox: Mailbox


class GroupWindow(BaseModel):
    mailboxes: Mailboxes  # the executives she serves, cleared in one go
    window: WindowName | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    toggled: list[EventId] = Field(default_factory=list, max_length=500)


class GroupClearRequest(Messages):
    mailboxes: Mailboxes


class Moment(BaseModel):
    start: AwareDatetime  # a proposal's start


class PlanRequest(Moment):
    # The invitation as shown (``…/invitation``) and perhaps edited; the defaults when left out.
    subject: str | None = Field(default=None, max_length=400)
    text: str | None = Field(default=None, max_length=8000)


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
    """What clearing the window would do to each item (nothing changes). The window is a
    quick choice (``window``) or ``start`` and ``end``; the answer says which it was."""
    start, end = flows.clear_window(deps, choice=body.window, start=body.start, end=body.end)
    report = await flows.preview_clear(
        deps, graph, me, mailbox=body.mailbox, start=start, end=end,
        settings=clear_settings(settings), toggled=body.toggled,
    )  # fmt: skip
    return asdict(report)


@router.post(
    "/api/v1/calamity/execute", operation_id="execute_calamity_clear", status_code=202,
    responses={200: {"description": "Finished within the ``Prefer: wait`` the caller gave"}},
)  # fmt: skip
async def execute_clear(
    body: ClearRequest, deps: FlowDeps, me: Me, graph: HandingOver, settings: SettingsDep,
    response: Response, prefer: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:  # fmt: skip
    """Cancel, decline and remove as previewed: planned now, carried out by a worker (202,
    ``status: running``; follow it at ``GET /api/v1/calamity/{operation_id}``, or send
    ``Prefer: wait=60`` to have the outcome). Again under the same id finishes the rest."""
    report = await flows.start_clear(
        deps, graph, me, mailbox=body.mailbox, start=body.start, end=body.end,
        settings=clear_settings(settings), operation_id=body.operation_id, toggled=body.toggled,
        cancel_message=body.cancel_message, decline_message=body.decline_message,
        calamity=body.calamity,
    )  # fmt: skip
    report = await waited(
        lambda: flows.clear_progress(deps, me, operation_id=body.operation_id),
        _finished, prefer_wait(prefer),
    )  # fmt: skip
    _answered(response, report.status, f"/api/v1/calamity/{body.operation_id}")
    return asdict(report)


def _finished(report: ClearReport | ClearGroup) -> bool:
    return report.status not in RUNNING


def _answered(response: Response, status: str, where: str) -> None:
    """200 when the work is finished; else 202 and where to follow it."""
    if status in RUNNING:
        response.headers["Location"] = where
    else:
        response.status_code = 200


@router.post("/api/v1/calamity/group/preview", operation_id="preview_calamity_group")
async def preview_group(
    body: GroupWindow, deps: FlowDeps, me: Me, graph: ClearGraph, settings: SettingsDep
) -> dict[str, Any]:
    """Several executives' agendas at once (a secretary's two): one report per executive,
    each with its own ``operation_id``; the group's ``operation_id`` clears them all."""
    start, end = flows.clear_window(deps, choice=body.window, start=body.start, end=body.end)
    group = await flows.preview_clears(
        deps, graph, me, mailboxes=body.mailboxes, start=start, end=end,
        settings=clear_settings(settings), toggled=body.toggled,
    )  # fmt: skip
    return asdict(group)


@router.post(
    "/api/v1/calamity/group/execute", operation_id="execute_calamity_group", status_code=202,
    responses={200: {"description": "Finished within the ``Prefer: wait`` the caller gave"}},
)  # fmt: skip
async def execute_group(
    body: GroupClearRequest, deps: FlowDeps, me: Me, graph: HandingOver, settings: SettingsDep,
    response: Response, prefer: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:  # fmt: skip
    """Clear each executive's agenda as previewed, one journaled clear each, run by workers
    side by side (202, or 200 within ``Prefer: wait``); again under the same id finishes
    what is missing, nothing twice."""
    await flows.start_clears(
        deps, graph, me, mailboxes=body.mailboxes, start=body.start, end=body.end,
        settings=clear_settings(settings), operation_id=body.operation_id, toggled=body.toggled,
        cancel_message=body.cancel_message, decline_message=body.decline_message,
        calamity=body.calamity,
    )  # fmt: skip
    group = await waited(
        lambda: flows.clears_progress(deps, me, operation_id=body.operation_id,
                                      mailboxes=body.mailboxes),
        _finished, prefer_wait(prefer),
    )  # fmt: skip
    query = "&".join(f"mailbox={m}" for m in body.mailboxes)
    _answered(response, group.status, f"/api/v1/calamity/group/{body.operation_id}?{query}")
    return asdict(group)


@router.get("/api/v1/calamity/group/{operation_id}", operation_id="get_calamity_group")
async def group_progress(
    operation_id: str,
    deps: FlowDeps,
    me: Me,
    mailbox: Annotated[list[Mailbox], Query(min_length=1, max_length=flows.MAX_GROUP)],
) -> dict[str, Any]:
    """Where a clear of several executives stands, per executive (``mailbox`` repeated)."""
    group = await flows.clears_progress(deps, me, operation_id=operation_id, mailboxes=mailbox)
    return asdict(group)


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
    """Moments for the executive and the original attendees (findMeetingTimes), after the
    cleared window and within her working hours, each with every attendee's availability."""
    slots = await flows.propose_slots(deps, graph, me, entry_id=entry_id)
    return {"slots": [asdict(s) for s in slots]}


@router.post("/api/v1/backlog/{entry_id}/invitation", operation_id="draft_backlog_invitation")
async def invitation(entry_id: str, body: Moment, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """The invitation a chosen moment would send (nothing is sent): subject, text to edit,
    attendees, time and location; ``…/plan`` sends it."""
    return asdict(await flows.draft_invitation(deps, me, entry_id=entry_id, start=body.start))


@router.post("/api/v1/backlog/{entry_id}/plan", operation_id="replan_backlog_entry")
async def plan(
    entry_id: str, body: PlanRequest, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Invite the original attendees at the chosen moment (once, however often clicked)."""
    entry = await flows.plan_entry(deps, graph, me, entry_id=entry_id, start=body.start,
                                   subject=body.subject, text=body.text)  # fmt: skip
    return asdict(entry)


@router.post("/api/v1/backlog/{entry_id}/drop", operation_id="drop_backlog_entry")
async def drop(entry_id: str, body: DropRequest, deps: FlowDeps, me: Me) -> dict[str, Any]:
    return asdict(await flows.drop_entry(deps, me, entry_id=entry_id, reason=body.reason))
