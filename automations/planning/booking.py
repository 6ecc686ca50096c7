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
from automations.errors import Conflict, Unprocessable
from automations.graph import GraphSession, calendar
from automations.holds import PLANNING_PROPERTY, planning_tag
from automations.journal import StepContext, StepPlan
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
        # Gone already (removed by hand in Outlook) is as good as released.
        await calendar.delete_events(graph, ctx.params["executive"], [ctx.params["event_id"]])
        return {"released": True}

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        p = ctx.params
        return (
            {"released": True}
            if await calendar.event_gone(graph, p["executive"], p["event_id"])
            else None
        )

    return execute, verify


async def _booking_of(deps: Deps, request_id: str) -> str | None:
    async with deps.sessions() as session:
        row = await session.get(PlanningRequestRow, request_id)
        return row.book_operation_id if row is not None else None


async def _claim(deps: Deps, request_id: str, operation_id: str) -> str:
    """The operation that books this request: ours, or the one an earlier click started
    (planned before it was claimed, so a claim always names an operation to finish)."""
    async with deps.sessions() as session, session.begin():
        claimed = await session.execute(
            update(PlanningRequestRow)
            .where(PlanningRequestRow.id == request_id, PlanningRequestRow.status == "holding",
                   PlanningRequestRow.book_operation_id.is_(None))
            .values(book_operation_id=operation_id)
        )  # fmt: skip
        if rowcount(claimed) == 1:
            return operation_id
        row = await session.get(PlanningRequestRow, request_id)
        if row is None or row.book_operation_id is None:
            raise Conflict("Dit overleg kan niet (meer) geboekt worden.")
        return row.book_operation_id


async def book(
    deps: Deps, graph: GraphSession, actor: Actor, *, request_id: str, option_id: str,
    operation_id: str, despite_conflicts: bool = False,
) -> PlanningRequest:  # fmt: skip
    """Invite everyone at the chosen option and release every hold; once, whoever clicks.
    A booking already started (a retry after a failure, a colleague's click) is finished as
    it was started, without asking again who is free: its invitation may be out already."""
    request = await load_for(deps, actor, request_id)
    option = next((o for o in request.options if o.id == option_id), None)
    if option is None:
        raise Unprocessable("Kies een van de geplaatste opties.")
    if request.status == "booked":
        if request.booked_start != option.start:
            raise Conflict("Dit overleg is al op een ander moment geboekt.")
        return request
    if request.status != "holding":
        raise Conflict("Dit overleg kan niet (meer) geboekt worden.")
    op_id = await _booking_of(deps, request.id)
    if op_id is None:
        if option.start <= deps.now():
            raise Conflict("Dit moment is al voorbij; kies een andere optie.")
        if not despite_conflicts:
            await _still_free(graph, request, option)
        steps = [StepPlan("invite", {"option": option.id}), *_releases(request)]
        await deps.journal.plan(kind="planning.book", actor=actor.upn,
                                mailbox=request.organiser, steps=steps,
                                operation_id=operation_id)  # fmt: skip
        op_id = await _claim(deps, request.id, operation_id)
    started = await deps.journal.get(op_id)
    booked_id = started.steps[0].params["option"]
    if booked_id != option.id:
        raise Conflict("Dit overleg wordt al op een ander moment geboekt; dat wordt afgemaakt. "
                       "Kies dat moment om het af te maken.")  # fmt: skip
    room = None
    if option.room:
        known = {r.address: r for r in await reading.rooms(graph, seats=0)}
        room = known.get(option.room, reading.Room(option.room, option.room, None))
    invite, check = _invite_executors(graph, request, option, room)
    release, released = _release_executors(graph)

    async def execute(ctx: StepContext) -> dict[str, Any]:
        return await (invite if ctx.name == "invite" else release)(ctx)

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        return await (check if ctx.name == "invite" else released)(ctx)

    op = await deps.journal.run(op_id, execute, verify=verify)
    event_id = (op.steps[0].result or {}).get("event_id")
    async with deps.sessions() as session, session.begin():
        done = await session.execute(
            update(PlanningRequestRow)
            .where(PlanningRequestRow.id == request.id, PlanningRequestRow.status == "holding")
            .values(status="booked", booked_option_id=option.id, booked_event_id=event_id)
        )
        found = await service.load(session, request.id)
        if rowcount(done):
            await record(session, AuditEntry(
                actor=actor.upn, action="planning.book", outcome="success",
                mailbox=request.organiser, item_id=request.id, operation_id=op_id,
                details={"start": option.start.isoformat(), "room": option.room,
                         "attendees": len(request.participants)},
            ))  # fmt: skip
            await close_backlog_entry(session, actor, found, event_id)
    deps.publish("planning", request.organiser, request=request.id)
    if found.backlog_id:
        deps.publish("changed", request.organiser, entry=found.backlog_id)
    return found


async def _still_free(graph: GraphSession, request: PlanningRequest, option: Option) -> None:
    """Re-read the internal calendars (and the room's): someone required who has become busy,
    or a room taken meanwhile, is said first."""
    room = [reading.Room(option.room, option.room, None)] if option.room else []
    busy, room_busy = await read_availability(graph, request, room)
    names = request.names()
    taken = [
        names[p.address] for p in request.participants
        if p.required and p.kind != "external"
        and availability_at(busy.get(p.address), option.start, option.end) in ("busy", "oof")
    ]  # fmt: skip
    if option.room and availability_at(room_busy.get(option.room), option.start,
                                       option.end) != "free":  # fmt: skip
        taken.append("de zaal")
    if taken:
        raise Conflict(f"Inmiddels bezet: {', '.join(taken)}. Kies een andere optie of boek "
                       "toch.")  # fmt: skip


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
        made = await calendar.create_event(graph, request.organiser, event)
        return {"event_id": str(made["id"])}

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        made = await calendar.made_with_transaction(graph, request.organiser, tx, option.start,
                                                    option.end)  # fmt: skip
        return {"event_id": str(made["id"])} if made else None

    return execute, verify


async def cancel(
    deps: Deps, graph: GraphSession, actor: Actor, *, request_id: str, operation_id: str
) -> PlanningRequest:
    """Withdraw the request: every hold released, the guests' links dead. Not once booking
    has begun: its invitation may be out, and the meeting is then cancelled in the agenda."""
    request = await load_for(deps, actor, request_id)
    if request.status == "cancelled":
        return request
    async with deps.sessions() as session, session.begin():
        withdrawn = await session.execute(
            update(PlanningRequestRow)
            .where(PlanningRequestRow.id == request.id,
                   PlanningRequestRow.status.in_(("open", "holding")),
                   PlanningRequestRow.book_operation_id.is_(None))
            .values(status="cancelled")
        )  # fmt: skip
        if rowcount(withdrawn) == 1:
            await record(session, AuditEntry(
                actor=actor.upn, action="planning.cancel", outcome="success",
                mailbox=request.organiser, item_id=request.id, operation_id=operation_id,
            ))  # fmt: skip
    if not rowcount(withdrawn):
        async with deps.sessions() as session:
            again = await service.load(session, request.id)
        if again.status == "cancelled":
            return again
        raise Conflict("Dit overleg is al geboekt (of wordt geboekt): annuleer de afspraak "
                       "in de agenda.")  # fmt: skip
    found = await release_all(deps, graph, actor, request.id, operation_id)
    deps.publish("planning", request.organiser, request=request.id)
    return found


async def release_all(
    deps: Deps, graph: GraphSession, actor: Actor, request_id: str, operation_id: str
) -> PlanningRequest:
    """Every hold of a withdrawn request released (once per ``operation_id``)."""
    async with deps.sessions() as session:
        request = await service.load(session, request_id)
    steps = _releases(request)
    if steps:
        release, released = _release_executors(graph)
        await deps.journal.submit(kind="planning.cancel", actor=actor.upn,
                                  mailbox=request.organiser, steps=steps, executor=release,
                                  verify=released, operation_id=operation_id)  # fmt: skip
    return request
