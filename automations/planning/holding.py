"""Options: the chosen candidates held in every executive's calendar, and the guests asked.

One journaled operation (``planning.hold``): a ``hold`` step per option and executive — a
tentative appointment she organises, subject "Optie: <titel> (tot <beslisdatum>)" (the one
definition of a hold: ``automations.holds``), tagged with the request and carrying a
``transactionId`` so a resumed step finds the hold it made instead of placing a second — and
an ``invite`` step per external guest: a mail from the organiser's mailbox with her personal
link (``guests``), sent once by its tag. The holds release themselves when the decision date
has passed (the ``expired-holds`` job), unless the request is booked or withdrawn first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from markupsafe import escape
from sqlalchemy import select, update

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.dates import AMSTERDAM, to_graph
from automations.errors import Conflict, Unprocessable
from automations.graph import GraphSession, calendar
from automations.holds import PLANNING_PROPERTY, hold_subject, planning_tag
from automations.journal import StepContext, StepPlan
from automations.mailboxes.tagged import find_tagged, send_tagged_mail
from automations.planning import service
from automations.planning.access import load_for
from automations.planning.availability import read_availability, rooms_for
from automations.planning.candidates import candidate_times, rank
from automations.planning.models import Candidate, PlanningRequest
from automations.store import rowcount
from automations.store.models import PlanningGuestRow, PlanningOptionRow, PlanningRequestRow

__all__ = ["MAX_OPTIONS", "hold_options", "hold_transaction"]

MAX_OPTIONS = 6
_NAMESPACE = uuid.UUID("6d1f0c1e-2f7b-4a55-8f3c-5c1d9b7a4e21")


def hold_transaction(request_id: str, option_id: str, executive: str) -> str:
    return f"planning/{request_id}/{option_id}/{executive}"[:200]


def option_id(request_id: str, start: dt.datetime) -> str:
    """The same time of the same request is the same option (a retried click makes none)."""
    return str(uuid.uuid5(_NAMESPACE, f"{request_id}/{start.astimezone(dt.UTC).isoformat()}"))


def decision_date(
    request: PlanningRequest, starts: Sequence[dt.datetime], today: dt.date
) -> dt.date:
    """Until when the options hold: the date she set, at the latest the day before the first
    option (at least today), so no hold outlives the time it holds."""
    first = min(s.astimezone(AMSTERDAM).date() for s in starts) - dt.timedelta(days=1)
    wanted = request.decide_by if request.decide_by is not None else first
    return max(today, min(wanted, first))


async def _chosen(
    deps: Deps, graph: GraphSession, request: PlanningRequest, starts: Sequence[dt.datetime]
) -> list[Candidate]:
    """The chosen times as candidates: inside the weeks and conditions, each with its room
    when one is needed (refused when none is free). Someone busy does not refuse a time: the
    candidates said so, and booking checks again."""
    chosen = sorted(set(starts))
    if not 1 <= len(chosen) <= MAX_OPTIONS:
        raise Unprocessable(f"Kies 1 tot {MAX_OPTIONS} momenten.")
    if any(s.tzinfo is None for s in chosen):
        raise Unprocessable("Geef elk moment met tijdzone.")
    allowed = dict(candidate_times(request.window_start, request.window_end, request.duration,
                                   request.conditions, not_before=deps.now()))  # fmt: skip
    if any(s not in allowed for s in chosen):
        raise Unprocessable("Een gekozen moment valt buiten de periode of de voorwaarden.")
    rooms = await rooms_for(graph, request)
    busy, room_busy = await read_availability(graph, request, rooms)
    checked = rank(((s, allowed[s]) for s in chosen), busy, request.participants,
                   rooms=[(r.address, r.name) for r in rooms], room_busy=room_busy,
                   travel=request.conditions.travel, count=len(chosen),
                   allow_conflicts=True)  # fmt: skip
    if len(checked) < len(chosen):
        lost = sorted(set(chosen) - {c.start for c in checked})
        when = ", ".join(f"{s.astimezone(AMSTERDAM):%d-%m %H:%M}" for s in lost)
        raise Conflict(f"Geen zaal meer vrij op {when}. Vraag de kandidaten opnieuw op.")
    return checked


async def _claim(
    deps: Deps, request: PlanningRequest, operation_id: str, checked: Sequence[Candidate],
    until: dt.date,
) -> str:  # fmt: skip
    """The operation that places this request's options: ours (its options stored with the
    claim, in one transaction), or the one an earlier click started."""
    async with deps.sessions() as session, session.begin():
        claimed = await session.execute(
            update(PlanningRequestRow)
            .where(PlanningRequestRow.id == request.id, PlanningRequestRow.status == "open",
                   PlanningRequestRow.hold_operation_id.is_(None))
            .values(hold_operation_id=operation_id, decide_by=until)
        )  # fmt: skip
        if rowcount(claimed) == 1:
            for c in checked:
                session.add(PlanningOptionRow(id=option_id(request.id, c.start),
                                              request_id=request.id, start=c.start, end=c.end,
                                              room=c.room, holds={}))  # fmt: skip
            return operation_id
        row = await session.get(PlanningRequestRow, request.id)
        if row is None or row.hold_operation_id is None:
            raise Conflict("Voor dit overleg kunnen geen opties meer worden geplaatst.")
        return row.hold_operation_id


async def hold_options(
    deps: Deps, graph: GraphSession, actor: Actor, *, request_id: str,
    starts: Sequence[dt.datetime], operation_id: str,
) -> PlanningRequest:  # fmt: skip
    """Hold the chosen times for every executive and ask every guest; once, whoever clicks:
    the first click fixes the operation, a second (hers, a colleague's) finishes that one."""
    request = await load_for(deps, actor, request_id)
    if request.status not in ("open", "holding"):
        raise Conflict("Voor dit overleg kunnen geen opties meer worden geplaatst.")
    op_id = await _hold_operation(deps, request.id)
    if op_id is None:
        checked = await _chosen(deps, graph, request, starts)
        until = decision_date(request, [c.start for c in checked], deps.today())
        steps = [
            StepPlan("hold", {"option": option_id(request.id, c.start), "executive": e,
                              "start": c.start.isoformat(), "end": c.end.isoformat()})
            for c in checked for e in request.executives
        ] + [StepPlan("invite", {"address": g.address, "name": g.name})
             for g in request.guests]  # fmt: skip
        await deps.journal.plan(kind="planning.hold", actor=actor.upn,
                                mailbox=request.organiser, steps=steps,
                                operation_id=operation_id)  # fmt: skip
        op_id = await _claim(deps, request, operation_id, checked, until)
    async with deps.sessions() as session:
        request = await service.load(session, request.id)
    assert request.decide_by is not None
    subject = hold_subject(request.title, request.decide_by)
    expires = dt.datetime.combine(request.decide_by + dt.timedelta(days=1), dt.time(), AMSTERDAM)
    execute, verify = _executors(deps, graph, request, actor, subject, expires)
    await deps.journal.run(op_id, execute, verify=verify)
    async with deps.sessions() as session, session.begin():
        held = await session.execute(
            update(PlanningRequestRow)
            .where(PlanningRequestRow.id == request.id, PlanningRequestRow.status == "open")
            .values(status="holding")
        )
        if rowcount(held):
            await record(session, AuditEntry(
                actor=actor.upn, action="planning.hold", outcome="success",
                mailbox=request.organiser, item_id=request.id, operation_id=op_id,
                details={"options": len(request.options), "guests": len(request.guests),
                         "until": request.decide_by.isoformat()},
            ))  # fmt: skip
        found = await service.load(session, request.id)
    deps.publish("planning", request.organiser, request=request.id)
    return found


async def _hold_operation(deps: Deps, request_id: str) -> str | None:
    async with deps.sessions() as session:
        row = await session.get(PlanningRequestRow, request_id)
        return row.hold_operation_id if row is not None else None


async def _keep_hold(deps: Deps, option: str, executive: str, event_id: str) -> None:
    async with deps.sessions() as session, session.begin():
        row = await session.get(PlanningOptionRow, option)
        if row is not None:
            row.holds = {**(row.holds or {}), executive: event_id}


def _executors(
    deps: Deps,
    graph: GraphSession,
    request: PlanningRequest,
    actor: Actor,
    subject: str,
    expires: dt.datetime,
) -> tuple[Any, Any]:
    names = request.names()
    organiser_name = names.get(request.organiser, request.organiser)

    async def execute(ctx: StepContext) -> dict[str, Any]:
        p = ctx.params
        if ctx.name == "hold":
            start, end = dt.datetime.fromisoformat(p["start"]), dt.datetime.fromisoformat(p["end"])
            event = {
                "subject": subject,
                "start": to_graph(start),
                "end": to_graph(end),
                "showAs": "tentative",
                "isReminderOn": False,
                "body": {
                    "contentType": "text",
                    "content": f"Optie voor het overleg '{request.title}', in planning door het "
                    f"secretariaat. Geplaatst door: {actor.upn}",
                },
                "transactionId": hold_transaction(request.id, p["option"], p["executive"]),
                "singleValueExtendedProperties": [
                    {"id": PLANNING_PROPERTY, "value": planning_tag(request.id)}
                ],
            }
            made = await calendar.create_event(graph, p["executive"], event)
            await _keep_hold(deps, p["option"], p["executive"], made["id"])
            return {"event_id": made["id"]}
        return await _invite(p["address"], p["name"])

    async def verify(ctx: StepContext) -> dict[str, Any] | None:
        p = ctx.params
        if ctx.name == "hold":
            start, end = dt.datetime.fromisoformat(p["start"]), dt.datetime.fromisoformat(p["end"])
            tx = hold_transaction(request.id, p["option"], p["executive"])
            made = await calendar.made_with_transaction(graph, p["executive"], tx, start, end)
            if made is None:
                return None
            await _keep_hold(deps, p["option"], p["executive"], made["id"])
            return {"event_id": made["id"]}
        tag = _invite_tag(request.id, p["address"])
        return {"sent": True} if await find_tagged(graph, request.organiser, tag) else None

    async def _invite(address: str, name: str) -> dict[str, Any]:
        tag = _invite_tag(request.id, address)
        if await find_tagged(graph, request.organiser, tag):
            return {"sent": True}  # sent before: her link stands
        token = service.new_token()
        async with deps.sessions() as session, session.begin():
            guest = await session.scalar(
                select(PlanningGuestRow).where(
                    PlanningGuestRow.request_id == request.id, PlanningGuestRow.address == address
                )
            )
            if guest is None:
                service.add_guest_token(
                    session,
                    request_id=request.id,
                    address=address,
                    name=name,
                    token=token,
                    expires_at=expires,
                )
            else:  # a try that stopped before sending: a new link, the old one useless
                guest.token_hash, guest.expires_at = service.token_hash(token), expires
        link = f"{deps.base_url}/gast/{token}"
        html = (
            f"<p>Geachte {escape(name or address)},</p>"
            f"<p>{escape(organiser_name)} wil graag met u overleggen: "
            f"<b>{escape(request.title)}</b>. Wilt u aangeven welke momenten u schikken?</p>"
            f'<p><a href="{escape(link)}">Kies de momenten die u schikken</a></p>'
            f"<p>Deze link is persoonlijk en werkt tot en met "
            f"{(expires - dt.timedelta(days=1)).astimezone(AMSTERDAM):%d-%m-%Y}."
            " U hebt er geen account voor nodig.</p>"
        )
        await send_tagged_mail(
            graph,
            request.organiser,
            [address],
            f"Uitnodiging om te plannen: {request.title}",
            html,
            tag,
        )
        async with deps.sessions() as session, session.begin():
            guest = await session.scalar(
                select(PlanningGuestRow).where(
                    PlanningGuestRow.request_id == request.id, PlanningGuestRow.address == address
                )
            )
            if guest is not None:
                guest.invited_at = deps.now()
        return {"sent": True}

    return execute, verify


def _invite_tag(request_id: str, address: str) -> str:
    """Her invitation's tag: a hash of the address, so no quote or plus in it reaches a
    Graph ``$filter``."""
    return f"planning-invite/{request_id}/{hashlib.sha256(address.encode()).hexdigest()[:24]}"
