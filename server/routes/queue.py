"""The work queue (werkvoorraad): everything open for the executives I work for."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, fields
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from automations.errors import BadRequest
from automations.queue import claims, closing, handover
from automations.queue.service import build_queue, counts_of, narrow, team_of
from automations.roster.policy import Action, acting_for, authorize
from automations.roster.service import take_over
from server.deps import (
    CurrentUser,
    Now,
    RosterDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    Today,
    UserGraph,
)

router = APIRouter(prefix="/api/v1/queue", tags=["queue"])


@router.get("", operation_id="get_queue")
async def queue(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    today: Today,
    now: Now,
    executive: Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None,
    mine: bool = False,
    office: Literal["front", "back", "executive"] | None = None,
    overdue: bool = False,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    order: Literal["urgentie", "oudste", "bestuurder", "soort"] = "urgentie",
) -> Response:
    """Open items with age, owner and the action that closes them; filters narrow it down,
    the counts are of what is shown."""
    mailboxes = _mailboxes(roster, user, executive)
    items = await build_queue(
        session, roster=roster, mailboxes=mailboxes, today=today, now=now.astimezone(dt.UTC)
    )
    team = [_plain(t) for t in team_of(roster, mailboxes, today)]
    held = await claims.current_claims(session, mailboxes=mailboxes, now=now)
    items = narrow(items, user=user.upn, claimed_by={k: c.claimed_by for k, c in held.items()},
                   mine=mine, overdue=overdue, office=office, kind=kind, order=order)  # fmt: skip
    shown = [{**_plain(i), "claim": _plain(held[i.key]) if i.key in held else None} for i in items]
    return _json({"items": shown, "counts": counts_of(items), "team": team})


def _mailboxes(roster: Any, user: Any, executive: str | None) -> list[str]:
    """One executive (checked), or all I work for."""
    if executive:
        authorize(roster, user.upn, Action.ACT_ON_MAILBOX, executive)
        return [executive.lower()]
    return acting_for(roster, user.upn)


def _plain(item: Any) -> dict[str, Any]:
    """A flat dataclass as a dict (``asdict`` deep-copies, which 2,000 items notice)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _iso(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(body: dict[str, Any]) -> Response:
    """JSON without FastAPI's generic encoder walking every value (a third of the time)."""
    text = json.dumps(body, default=_iso, ensure_ascii=False, separators=(",", ":"))
    return Response(text, media_type="application/json")


class ClaimRequest(BaseModel):
    key: str = Field(min_length=3, max_length=600)  # a queue item's key, or "message:<id>"
    mailbox: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    take_over: bool = False  # she was told who holds it and takes over anyway


@router.get("/events", operation_id="queue_events")
async def events(request: Request, user: CurrentUser, roster: RosterDep) -> StreamingResponse:
    """Server-sent events for open panes: claims, releases and "neem over" in the mailboxes I
    work in. A comment every 15 s keeps proxies from closing the stream."""
    mine = set(acting_for(roster, user.upn))
    broadcaster = request.app.state.events

    async def stream() -> AsyncIterator[bytes]:
        async with broadcaster.subscribe() as queue:
            yield b": verbonden\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield b": nog hier\n\n"
                    continue
                if event.get("mailbox") in mine:
                    yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def publish(request: Request, kind: str, mailbox: str, **data: Any) -> None:
    request.app.state.events.publish({"type": kind, "mailbox": mailbox.lower(), **data})


def tell_team(request: Request, roster: Any, secretary: str, executive: str | None) -> None:
    """A roster exception changed: open panes of every executive it may touch redraw."""
    touched = {executive.lower()} if executive else roster.serves.get(secretary.lower(), ())
    for mailbox in touched:
        publish(request, "team", mailbox)


@router.post("/claims", operation_id="claim_item", status_code=201)
async def claim(
    request: Request,
    body: ClaimRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    now: Now,
) -> dict[str, Any]:
    """ "Ik pak dit op"; a colleague's live claim is a 409 naming her and since when."""
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox)
    held = await claims.claim(
        sessions, key=body.key, mailbox=body.mailbox.lower(), actor=user.upn,
        now=now.astimezone(dt.UTC), names=roster.names,
        ttl=dt.timedelta(minutes=settings.claim_minutes), take_over=body.take_over,
    )  # fmt: skip
    publish(request, "claim", held.mailbox, key=held.key, by=held.claimed_by)
    return asdict(held)


@router.delete("/claims/{key:path}", operation_id="release_claim", status_code=204)
async def release(
    request: Request, key: str, user: CurrentUser, roster: RosterDep, sessions: SessionsDep
) -> None:
    mailbox = await claims.release(sessions, roster, key=key, actor=user.upn)
    publish(request, "release", mailbox, key=key)


class TakeOverRequest(BaseModel):
    executive: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    note: str | None = Field(default=None, max_length=500)


@router.post("/take-over", operation_id="take_over_front_office")
async def take_over_front_office(
    request: Request,
    body: TakeOverRequest,
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    today: Today,
) -> dict[str, Any]:
    """ "Neem over": I am her front office today (a roster exception, audited)."""
    before = await take_over(
        session, roster, executive=body.executive, secretary=user.upn, day=today, note=body.note
    )
    await session.commit()
    publish(request, "team", body.executive, front=user.upn)
    return {"executive": body.executive.lower(), "front_today": user.upn, "was": before}


class DismissRequest(BaseModel):
    reason: str = Field(default="", max_length=500)


@router.post("/findings/{finding_id}/dismiss", operation_id="dismiss_finding")
async def dismiss(
    request: Request, finding_id: str, body: DismissRequest, user: CurrentUser,
    roster: RosterDep, sessions: SessionsDep, now: Now,
) -> dict[str, Any]:  # fmt: skip
    """A conflict she accepts as it is ("afvinken"): closed, and the jobs leave it closed."""
    row = await closing.dismiss_finding(sessions, roster, finding_id=finding_id, actor=user.upn,
                                        now=now.astimezone(dt.UTC), reason=body.reason)  # fmt: skip
    publish(request, "closed", row.mailbox, key=f"conflict:{row.id}")
    return {"id": row.id, "status": row.status}


@router.post("/findings/{finding_id}/complete-flag", operation_id="complete_flag")
async def complete_flag(
    request: Request, finding_id: str, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, graph: UserGraph, now: Now,
) -> dict[str, Any]:  # fmt: skip
    """Flagged mail dealt with: its flag in her mailbox is marked complete."""
    row = await closing.complete_flag(graph, sessions, roster, finding_id=finding_id,
                                      actor=user.upn, now=now.astimezone(dt.UTC))  # fmt: skip
    publish(request, "closed", row.mailbox, key=f"message:{row.details['message']}")
    return {"id": row.id, "status": row.status}


# --- handover (overdracht) ---------------------------------------------------------------------
def handover_json(found: handover.Handover) -> dict[str, Any]:
    return {
        "day": found.day, "next_day": found.next_day,
        "executives": [
            {"executive": s.executive, "name": s.name, "front_today": s.front_today,
             "front_next": s.front_next, "switches": s.switches, "open": s.counts,
             "open_total": sum(s.counts.values()), "new_today": s.new_today,
             "due_next": [_plain(i) for i in s.due_next],
             "open_items": [_plain(i) for i in s.open_items], "done_today": s.done_today,
             "activity": [{"what": label, "count": n} for label, n in s.activity]}
            for s in found.sections
        ],
    }  # fmt: skip


@router.get("/handover", operation_id="get_handover")
async def get_handover(
    user: CurrentUser, roster: RosterDep, session: SessionDep, today: Today, now: Now,
    executive: Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None,
) -> Response:  # fmt: skip
    """The handover for the next person: per executive open work, today's changes, what is
    due on the next working day."""
    found = await handover.build_handover(
        session, roster=roster, mailboxes=_mailboxes(roster, user, executive),
        today=today, now=now.astimezone(dt.UTC),
    )  # fmt: skip
    return _json(handover_json(found))


class HandoverMail(BaseModel):
    to: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")  # one mail per click


async def send_handover(
    user: Any, roster: Any, sessions: Any, graph: Any, settings: Any, today: dt.date,
    now: dt.datetime, to: str, operation_id: str,
) -> handover.Handover:  # fmt: skip
    """Her executives that the colleague also works for, mailed from her own mailbox."""
    to = to.lower()
    shared = [m for m in acting_for(roster, user.upn) if m in roster.serves.get(to, frozenset())]
    if not shared:
        name = roster.names.get(to, to)
        raise BadRequest(f"{name} werkt niet voor uw bestuurders; kies een collega uit het team.")
    async with sessions() as session:
        found = await handover.build_handover(session, roster=roster, mailboxes=shared,
                                              today=today, now=now.astimezone(dt.UTC))  # fmt: skip
    await handover.mail_handover(graph, found, sender=user.upn, to=to, names=roster.names,
                                 base_url=settings.base_url,
                                 tag=f"handover/{operation_id}/{to}")  # fmt: skip
    return found


@router.post("/handover/mail", operation_id="mail_handover")
async def mail_handover(
    body: HandoverMail, user: CurrentUser, roster: RosterDep, sessions: SessionsDep,
    graph: UserGraph, settings: SettingsDep, today: Today, now: Now,
) -> dict[str, Any]:  # fmt: skip
    """The handover as a mail to a colleague (sent once per operation id)."""
    found = await send_handover(user, roster, sessions, graph, settings, today, now, body.to,
                                body.operation_id)  # fmt: skip
    return {"to": body.to.lower(), "executives": [s.executive for s in found.sections]}
