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

from automations.queue import flows, handover
from server.deps import CurrentUser, FlowDeps, Me, RosterDep, UserGraph, WallClock
from server.fields import MAILBOX_PATTERN, Mailbox, OperationId

router = APIRouter(prefix="/api/v1/queue", tags=["queue"])


@router.get("", operation_id="get_queue")
async def queue(
    deps: FlowDeps,
    me: Me,
    executive: Annotated[str | None, Query(max_length=320, pattern=MAILBOX_PATTERN)] = None,
    mine: bool = False,
    office: Literal["front", "back", "executive"] | None = None,
    overdue: bool = False,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    order: Literal["urgentie", "oudste", "bestuurder", "soort"] = "urgentie",
) -> Response:
    """Open items with age, owner and the action that closes them; filters narrow it down,
    the counts are of what is shown."""
    found = await flows.read_queue(deps, me, executive=executive, mine=mine, office=office,
                                   overdue=overdue, kind=kind, order=order)  # fmt: skip
    shown = [{**_plain(i), "claim": _claim(found.claim_of(i))} for i in found.items]
    team = [_plain(t) for t in found.team]
    return _json({"items": shown, "counts": found.counts, "team": team})


def _claim(held: Any) -> dict[str, Any] | None:
    return _plain(held) if held is not None else None


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
    mailbox: Mailbox
    take_over: bool = False  # she was told who holds it and takes over anyway


KEEPALIVE_S = 15.0  # a comment this often keeps proxies from closing the stream


@router.get("/events", operation_id="queue_events")
async def events(
    request: Request, user: CurrentUser, deps: FlowDeps, roster: RosterDep, wall: WallClock
) -> StreamingResponse:
    """Server-sent events for open panes: claims, releases and "neem over" in the mailboxes I
    work in, as the roster says at each event (someone taken off a team stops hearing it).
    The stream ends with an ``expired`` event when the token does; the pane then connects
    again with a fresh one. A comment every 15 s keeps proxies from closing the stream."""
    audience = flows.Audience(deps, user.upn, roster)
    broadcaster = request.app.state.events

    async def stream() -> AsyncIterator[bytes]:
        async with broadcaster.subscribe() as queue:
            yield b": verbonden\n\n"
            while not await request.is_disconnected():
                left = user.expires_at - wall()  # the time the token was checked against
                if left <= 0:
                    yield b"event: expired\ndata: {}\n\n"
                    return
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=min(KEEPALIVE_S, left))
                except TimeoutError:
                    event = None  # the token's end, or time for a keep-alive
                if user.expires_at <= wall():
                    continue  # expired meanwhile: what arrived since is not hers to hear
                if event is None:
                    yield b": nog hier\n\n"
                    continue
                shown = await audience.admit(event)
                if shown is not None:
                    yield f"event: {shown['type']}\ndata: {json.dumps(shown)}\n\n".encode()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.post("/claims", operation_id="claim_item", status_code=201)
async def claim(body: ClaimRequest, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """ "Ik pak dit op"; a colleague's live claim is a 409 naming her and since when."""
    held = await flows.claim_work(deps, me, key=body.key, mailbox=body.mailbox,
                                  take_over=body.take_over)  # fmt: skip
    return asdict(held)


@router.delete("/claims/{key:path}", operation_id="release_claim", status_code=204)
async def release(key: str, deps: FlowDeps, me: Me) -> None:
    await flows.release_work(deps, me, key=key)


class TakeOverRequest(BaseModel):
    executive: Mailbox
    note: str | None = Field(default=None, max_length=500)


@router.post("/take-over", operation_id="take_over_front_office")
async def take_over_front_office(body: TakeOverRequest, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """ "Neem over": I am her front office today (a roster exception, audited)."""
    before, _ = await flows.take_over_front_office(deps, me, executive=body.executive,
                                                note=body.note)  # fmt: skip
    return {"executive": body.executive.lower(), "front_today": me.upn, "was": before}


class DismissRequest(BaseModel):
    reason: str = Field(default="", max_length=500)


@router.post("/findings/{finding_id}/dismiss", operation_id="dismiss_finding")
async def dismiss(finding_id: str, body: DismissRequest, deps: FlowDeps, me: Me) -> dict[str, Any]:
    """A conflict she accepts as it is ("afvinken"): closed, and the jobs leave it closed."""
    row = await flows.dismiss_finding(deps, me, finding_id=finding_id, reason=body.reason)
    return {"id": row.id, "status": row.status}


@router.post("/findings/{finding_id}/complete-flag", operation_id="complete_flag")
async def complete_flag(
    finding_id: str, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """Flagged mail dealt with: its flag in her mailbox is marked complete."""
    row = await flows.complete_flag(deps, graph, me, finding_id=finding_id)
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
             "open_items": [{**_plain(i), "claimed_by": found.holder(i)} for i in s.open_items],
             "done_today": s.done_today,
             "activity": [{"what": label, "count": n} for label, n in s.activity],
             "unprocessed": list(s.unprocessed) if s.unprocessed is not None else None}
            for s in found.sections
        ],
    }  # fmt: skip


@router.get("/handover", operation_id="get_handover")
async def get_handover(
    deps: FlowDeps,
    me: Me,
    graph: UserGraph,
    executive: Annotated[str | None, Query(max_length=320, pattern=MAILBOX_PATTERN)] = None,
) -> Response:
    """The handover for the next person: per executive open work, today's changes, what is
    due on the next working day, and the subjects of today's mail nobody has handled yet
    (``unprocessed``, as Postverwerking shows it)."""
    found = await flows.handover_for(deps, me, executive=executive, graph=graph)
    return _json(handover_json(found))


class HandoverMail(BaseModel):
    to: Mailbox
    operation_id: OperationId  # one mail per click


@router.post("/handover/mail", operation_id="mail_handover")
async def mail_handover(
    body: HandoverMail, deps: FlowDeps, me: Me, graph: UserGraph
) -> dict[str, Any]:
    """The handover as a mail to a colleague (sent once per operation id)."""
    found = await flows.mail_handover(deps, graph, me, to=body.to,
                                      operation_id=body.operation_id)  # fmt: skip
    return {"to": body.to.lower(), "executives": [s.executive for s in found.sections]}
