"""A meeting a calamity cleared, planned again through the planner: the backlog entry becomes
a planning request with the original attendees (colleagues as internal attendees, people from
outside as guests who choose), duration and place, for the weeks ahead; booked, the entry is
planned and leaves the backlog — one planner for everything the back office plans."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.errors import Conflict, NotFound
from automations.graph import GraphSession, users
from automations.planning import service
from automations.planning.access import staff_for
from automations.planning.making import create_request
from automations.planning.models import PlanningRequest
from automations.store import clock_of, rowcount
from automations.store.models import PlanningRequestRow, RescheduleRow

__all__ = ["WEEKS_AHEAD", "close_backlog_entry", "from_backlog"]

WEEKS_AHEAD = 6


async def _in_directory(graph: GraphSession, addresses: list[str]) -> set[str]:
    found = await users.find_users(graph, addresses, select=["id"])
    return {a for a, user in found.items() if user is not None}


async def from_backlog(
    deps: Deps, graph: GraphSession, actor: Actor, *, entry_id: str
) -> PlanningRequest:
    """A planning request for the cleared meeting, from the next working day on."""
    async with deps.sessions() as session:
        row = await session.get(RescheduleRow, entry_id)
        if row is None:
            raise NotFound("Dit item staat niet (meer) bij herplannen.")
        entry = (row.mailbox.lower(), row.subject, row.start, row.end, row.location,
                 row.is_online, list(row.attendees or []), row.organizer, row.organizer_name,
                 row.status)  # fmt: skip
    mailbox, subject, start, end, location, online, attendees, organizer, org_name, status = entry
    staff_for(actor, [mailbox])
    if status != "open":
        raise Conflict("Dit item is al herpland of vervallen.")
    async with deps.sessions() as session:
        planning = await session.scalar(
            select(PlanningRequestRow.id).where(
                PlanningRequestRow.backlog_id == entry_id,
                PlanningRequestRow.status.in_(("open", "holding")),
            )
        )
        if planning is not None:  # a double click, a colleague: the one already made
            return await service.load(session, planning)
    people = {a["address"].lower(): (a.get("name") or "", a.get("type") != "optional")
              for a in attendees if a.get("address")}  # fmt: skip
    if organizer and organizer.lower() != mailbox:
        people.setdefault(organizer.lower(), (org_name, True))
    people.pop(mailbox, None)
    inside = await _in_directory(graph, sorted(people))
    served = {m for m in actor.roster.serves.get(actor.upn, frozenset())}
    executives = [mailbox, *sorted(a for a in inside if a in served)]
    minutes = max(15, math.ceil((end - start).total_seconds() / 60 / 15) * 15)
    first = deps.today() + dt.timedelta(days=1)
    made = await create_request(
        deps, graph, actor, title=subject or "Overleg", executives=executives, organiser=mailbox,
        internal=[(a, people[a][1]) for a in sorted(inside) if a not in executives],
        external=[(a, people[a][0]) for a in sorted(people) if a not in inside],
        duration_minutes=min(minutes, 480), window_start=first,
        window_end=first + dt.timedelta(weeks=WEEKS_AHEAD), online=online,
        location="" if online else location,
    )  # fmt: skip
    async with deps.sessions() as session, session.begin():
        await session.execute(
            update(PlanningRequestRow)
            .where(PlanningRequestRow.id == made.id)
            .values(backlog_id=entry_id)
        )
    return made


async def close_backlog_entry(
    session: AsyncSession, actor: Actor, request: PlanningRequest, event_id: str | None
) -> None:
    """Booked: the cleared meeting it planned again is planned — in the booking's own
    transaction, so a crash cannot leave one without the other."""
    if request.backlog_id is None or request.booked_start is None:
        return
    done = await session.execute(
        update(RescheduleRow)
        .where(RescheduleRow.id == request.backlog_id, RescheduleRow.status == "open")
        .values(
            status="planned",
            closed_by=actor.upn,
            closed_at=clock_of(session).now(),
            planned_event_id=event_id,
            planned_start=request.booked_start,
        )  # fmt: skip
    )
    if rowcount(done):
        await record(session, AuditEntry(
            actor=actor.upn, mailbox=request.organiser, action="backlog.replan",
            outcome="success", item_id=event_id,
            details={"entry": request.backlog_id, "planning": request.id,
                     "start": request.booked_start.isoformat()},
        ))  # fmt: skip
