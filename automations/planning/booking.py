"""Booking a planning request, or withdrawing it.

``book`` is one journaled operation (``planning.book``), exactly once like every other: an
``invite`` step — one event in the organising executive's calendar (as her delegate) inviting
the other executives, the internal and the external attendees and the room, with a
``transactionId`` so a resumed step finds the invitation instead of sending a second — then a
``release`` step per hold in every executive's calendar (the chosen time's too: the
invitation takes its place). The first "Boeken" fixes the operation on the request, so a second
click or a colleague's resumes that one. The guests hear the outcome from the invitation
itself: they are on it.

``cancel`` releases every hold (``planning.cancel``) and the guests' links stop working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from markupsafe import escape
from sqlalchemy import update

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.dates import AMSTERDAM, to_graph
from automations.errors import BadRequest, Conflict
from automations.graph import BatchRequest, GraphSession
from automations.holds import PLANNING_PROPERTY, planning_tag
from automations.journal import StepContext, StepPlan
from automations.mailboxes.tagged import graph_one
from automations.planning import reading, service
from automations.planning.access import load_for
from automations.planning.availability import read_availability
from automations.planning.candidates import availability_at
from automations.planning.models import Option, PlanningRequest
from automations.planning.replanning import close_backlog_entry
from automations.store import rowcount
from automations.store.models import PlanningRequestRow

__all__ = ["book", "cancel"]


Execute = Callable[[StepContext], Awaitable[dict[str, Any]]]
Verify = Callable[[StepContext], Awaitable[dict[str, Any] | None]]


def booked_transaction(request_id: str) -> str:
    return f"planning/{request_id}/booked"


async def _claim(deps: Deps, request_id: str, operation_id: str) -> str:
    """The operation that books this request: ours, or the one an earlier click started."""
    async with deps.sessions() as session, session.begin():
        claimed = await session.execute(
            update(PlanningRequestRow)
            .where(
                PlanningRequestRow.id == request_id, PlanningRequestRow.book_operation_id.is_(None)
            )
            .values(book_operation_id=operation_id)
        )
        if rowcount(claimed) == 1:
            return operation_id
        row = await session.get(PlanningRequestRow, request_id)
        assert row is not None and row.book_operation_id is not None
        return row.book_operation_id


def _attendees(request: PlanningRequest, room: reading.Room | None) -> list[dict[str, Any]]:
    out = [
        {
            "emailAddress": {"address": p.address, "name": p.name},
            "type": "required" if p.required else "optional",
        }
        for p in request.participants
        if p.address != request.organiser
    ]
    if room is not None:
        out.append(
            {"emailAddress": {"address": room.address, "name": room.name}, "type": "resource"}
        )
    return out


def _releases(request: PlanningRequest) -> list[StepPlan]:
    return [
        StepPlan("release", {"executive": e, "event_id": event_id})
        for o in request.options
        for e, event_id in sorted(o.holds.items())
    ]


def _release_executors(graph: GraphSession) -> tuple[Execute, Verify]:
    async def execute(ctx: StepContext) -> dict[str, Any]:
        p = ctx.params
        [gone] = await graph.batch(
            [BatchRequest("DELETE", f"/users/{p['executive']}/events/{p['event_id']}")]
        )
        if gone.status != 404:  # removed by hand in Outlook: as good as released
            gone.raise_for_status()
        return {"released": True}

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        p = ctx.params
        [found] = await graph.batch(
            [BatchRequest("GET", f"/users/{p['executive']}/events/{p['event_id']}?$select=id")]
        )
        return {"released": True} if found.status == 404 else None

    return execute, verify


async def book(
    deps: Deps,
    graph: GraphSession,
    actor: Actor,
    *,
    request_id: str,
    option_id: str,
    operation_id: str,
    despite_conflicts: bool = False,
) -> PlanningRequest:
    """Invite everyone at the chosen option and release every hold; once, whoever clicks."""
    request = await load_for(deps, actor, request_id)
    option = next((o for o in request.options if o.id == option_id), None)
    if option is None:
        raise BadRequest("Kies een van de geplaatste opties.")
    if request.status == "booked":
        if request.booked_start != option.start:
            raise Conflict("Dit overleg is al op een ander moment geboekt.")
        return request
    if request.status != "holding":
        raise Conflict("Dit overleg kan niet (meer) geboekt worden.")
    room = None
    if option.room:
        known = {r.address: r for r in await reading.rooms(graph, seats=0)}
        room = known.get(option.room, reading.Room(option.room, option.room, None))
    if not despite_conflicts:
        await _still_free(graph, request, option)
    op_id = await _claim(deps, request.id, operation_id)
    steps = [StepPlan("invite", {"option": option.id}), *_releases(request)]
    invite, check = _invite_executors(graph, request, option, room)
    release, released = _release_executors(graph)

    async def execute(ctx: StepContext) -> dict[str, Any]:
        return await (invite if ctx.name == "invite" else release)(ctx)

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        return await (check if ctx.name == "invite" else released)(ctx)

    op = await deps.journal.submit(
        kind="planning.book",
        actor=actor.upn,
        mailbox=request.organiser,
        steps=steps,
        executor=execute,
        verify=verify,
        operation_id=op_id,
    )
    event_id = (op.steps[0].result or {}).get("event_id")
    async with deps.sessions() as session, session.begin():
        row = await session.get(PlanningRequestRow, request.id)
        assert row is not None
        newly = row.status != "booked"
        row.status, row.booked_option_id, row.booked_event_id = "booked", option.id, event_id
        if newly:
            await record(
                session,
                AuditEntry(
                    actor=actor.upn,
                    action="planning.book",
                    outcome="success",
                    mailbox=request.organiser,
                    item_id=request.id,
                    operation_id=op_id,
                    details={
                        "start": option.start.isoformat(),
                        "room": option.room,
                        "attendees": len(request.participants),
                    },
                ),
            )
        found = await service.load(session, request.id)
    await close_backlog_entry(deps, actor, found, event_id)
    deps.publish("planning", request.organiser, request=request.id)
    return found


async def _still_free(graph: GraphSession, request: PlanningRequest, option: Option) -> None:
    """Re-read the internal calendars: someone required who has become busy is said first."""
    busy, _ = await read_availability(graph, request, [])
    names = request.names()
    taken = [
        names[p.address]
        for p in request.participants
        if p.required
        and p.kind != "external"
        and availability_at(busy.get(p.address), option.start, option.end) in ("busy", "oof")
    ]
    if taken:
        raise Conflict(f"Inmiddels bezet: {', '.join(taken)}. Kies een andere optie of boek toch.")


def _invite_executors(
    graph: GraphSession, request: PlanningRequest, option: Option, room: reading.Room | None
) -> tuple[Execute, Verify]:
    tx = booked_transaction(request.id)
    names = request.names()
    organiser = names.get(request.organiser, request.organiser)

    async def execute(ctx: StepContext) -> dict[str, Any]:
        when = option.start.astimezone(AMSTERDAM)
        event: dict[str, Any] = {
            "subject": request.title,
            "start": to_graph(option.start),
            "end": to_graph(option.end),
            "attendees": _attendees(request, room),
            "body": {
                "contentType": "html",
                "content": f"<p>{escape(organiser)} nodigt u uit voor "
                f"<b>{escape(request.title)}</b> op {when:%d-%m-%Y} om {when:%H:%M}.</p>",
            },
            "transactionId": tx,
            "allowNewTimeProposals": True,
            "singleValueExtendedProperties": [
                {"id": PLANNING_PROPERTY, "value": planning_tag(request.id)}
            ],
        }
        if request.online:
            event |= {"isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness"}
        elif room is not None:
            event["location"] = {
                "displayName": room.name,
                "locationEmailAddress": room.address,
                "locationType": "conferenceRoom",
            }
        elif request.location:
            event["location"] = {"displayName": request.location}
        made = await graph_one(
            graph, BatchRequest("POST", f"/users/{request.organiser}/events", event)
        )
        return {"event_id": str(made["id"])}

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        made = await reading.made_event(graph, request.organiser, tx, option.start, option.end)
        return {"event_id": str(made["id"])} if made else None

    return execute, verify


async def cancel(
    deps: Deps, graph: GraphSession, actor: Actor, *, request_id: str, operation_id: str
) -> PlanningRequest:
    """Withdraw the request: every hold released, the guests' links dead."""
    request = await load_for(deps, actor, request_id)
    if request.status == "cancelled":
        return request
    if request.status == "booked":
        raise Conflict("Dit overleg is al geboekt: annuleer de afspraak in de agenda.")
    release, released = _release_executors(graph)
    steps = _releases(request)
    if steps:
        await deps.journal.submit(
            kind="planning.cancel",
            actor=actor.upn,
            mailbox=request.organiser,
            steps=steps,
            executor=release,
            verify=released,
            operation_id=operation_id,
        )
    async with deps.sessions() as session, session.begin():
        row = await session.get(PlanningRequestRow, request.id)
        assert row is not None
        row.status = "cancelled"
        await record(
            session,
            AuditEntry(
                actor=actor.upn,
                action="planning.cancel",
                outcome="success",
                mailbox=request.organiser,
                item_id=request.id,
                operation_id=operation_id,
            ),
        )
        found = await service.load(session, request.id)
    deps.publish("planning", request.organiser, request=request.id)
    return found
