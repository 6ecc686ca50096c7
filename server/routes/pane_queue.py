"""The pane's Werkvoorraad: today's team with "neem over", the queue with filters and counts,
and "ik pak dit op" on each item (a colleague's claim is shown, and taking over asks first)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.dates import next_working_day
from automations.errors import AccessDenied, BadRequest
from automations.queue import claims, closing, handover
from automations.queue.service import build_queue, counts_of, narrow, team_of
from automations.roster import exceptions
from automations.roster.models import Roster
from automations.roster.policy import Action, acting_for, may
from automations.roster.service import snapshot, take_over
from server.deps import CurrentUser, Now, RosterDep, SessionsDep, SettingsDep, Today, UserGraph
from server.routes.pane import Selected, _fragment
from server.routes.queue import publish, send_handover, tell_team

router = APIRouter(include_in_schema=False)
Filter = Literal["alles", "mijn", "te-laat"]
Sort = Literal["urgentie", "oudste", "bestuurder", "soort"]
SHOWN = 100  # items drawn at once; the counts and filters cover the rest


class ViewState(BaseModel):
    """What the secretary chose to see; every click sends it, so the redraw keeps it."""

    filter: Filter = "alles"
    executive: str = Field(default="", max_length=320, pattern=r"^([^@\s]+@[^@\s]+)?$")
    office: Literal["", "front", "back", "executive"] = ""
    sort: Sort = "urgentie"


async def _render(
    request: Request, user: Any, roster: Roster, sessions: Any, today: dt.date,
    now: dt.datetime, state: ViewState, notice: str | None = None, ask: dict | None = None,
) -> HTMLResponse:  # fmt: skip
    mine = acting_for(roster, user.upn)
    async with sessions() as session:
        items = await build_queue(
            session, roster=roster, mailboxes=mine, today=today, now=now.astimezone(dt.UTC)
        )
        held = await claims.current_claims(session, mailboxes=mine, now=now.astimezone(dt.UTC))
        upcoming = await exceptions.list_exceptions(
            session, first=today, last=today + dt.timedelta(days=28)
        )
    colleagues = sorted(
        {s for s, served in roster.serves.items() if set(served) & set(mine)} | (
            {user.upn} if roster.role(user.upn) == "secretary" else set()),
        key=lambda s: roster.names.get(s, s),
    )  # fmt: skip
    upcoming = [e for e in upcoming if e.secretary in colleagues]
    all_counts = counts_of(items)
    items = narrow(
        items,
        user=user.upn,
        claimed_by={k: c.claimed_by for k, c in held.items()},
        mine=state.filter == "mijn",
        overdue=state.filter == "te-laat",
        office=state.office or None,
        executive=state.executive or None,
        order=state.sort,
    )
    team = team_of(roster, mine, today)
    return _fragment(
        request, "views/werkvoorraad.html", items=items[:SHOWN], more=max(len(items) - SHOWN, 0),
        shown_total=len(items), counts=all_counts, team=team, claims=held, state=state,
        user=user.upn, names=roster.names, notice=notice, ask=ask,
        tomorrow=next_working_day(today), serves=roster.serves.get(user.upn, frozenset()),
        colleagues=colleagues, upcoming=upcoming, today=today,
    )  # fmt: skip


@router.get("/pane/werkvoorraad/inhoud", response_class=HTMLResponse)
async def view(
    request: Request, selected: Selected, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now, state: Annotated[ViewState, Query()],
) -> HTMLResponse:  # fmt: skip
    return await _render(request, user, roster, sessions, today, now, state)


class ClaimRequest(ViewState):
    key: str = Field(min_length=3, max_length=600)
    mailbox: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    take_over: bool = False


@router.post("/pane/werkvoorraad/oppakken", response_class=HTMLResponse)
async def pick_up(
    request: Request, body: ClaimRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, settings: SettingsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    if not may(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox):
        raise AccessDenied("U werkt niet voor deze bestuurder.")
    try:
        await claims.claim(
            sessions, key=body.key, mailbox=body.mailbox.lower(), actor=user.upn,
            now=now.astimezone(dt.UTC), names=roster.names,
            ttl=dt.timedelta(minutes=settings.claim_minutes), take_over=body.take_over,
        )  # fmt: skip
    except claims.ClaimHeld as exc:
        ask = {"key": body.key, "mailbox": body.mailbox}
        return await _render(request, user, roster, sessions, today, now, body,
                             notice=exc.message, ask=ask)  # fmt: skip
    publish(request, "claim", body.mailbox, key=body.key, by=user.upn)
    return await _render(request, user, roster, sessions, today, now, body)


class ReleaseRequest(ViewState):
    key: str = Field(min_length=3, max_length=600)


@router.post("/pane/werkvoorraad/vrijgeven", response_class=HTMLResponse)
async def let_go(
    request: Request, body: ReleaseRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    mailbox = await claims.release(sessions, roster, key=body.key, actor=user.upn)
    publish(request, "release", mailbox, key=body.key)
    return await _render(request, user, roster, sessions, today, now, body)


class TakeOverRequest(ViewState):
    cover: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


@router.post("/pane/werkvoorraad/neem-over", response_class=HTMLResponse)
async def neem_over(
    request: Request, body: TakeOverRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    async with sessions() as session, session.begin():
        await take_over(session, roster, executive=body.cover, secretary=user.upn,
                        day=today, note="neem over (Werkvoorraad)")  # fmt: skip
    publish(request, "team", body.cover, front=user.upn)
    async with sessions() as session:
        fresh = await snapshot(session)
    name = fresh.names.get(body.cover.lower(), body.cover)
    return await _render(request, user, fresh, sessions, today, now, body,
                         notice=f"U bent vandaag de frontoffice van {name}.")  # fmt: skip


class FindingRequest(ViewState):
    finding: str = Field(min_length=1, max_length=64)


@router.post("/pane/werkvoorraad/afvinken", response_class=HTMLResponse)
async def set_aside(
    request: Request, body: FindingRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    """A conflict that is fine as it is: off the queue, and the jobs leave it off."""
    row = await closing.dismiss_finding(sessions, roster, finding_id=body.finding,
                                        actor=user.upn, now=now.astimezone(dt.UTC))  # fmt: skip
    publish(request, "closed", row.mailbox, key=f"conflict:{row.id}")
    return await _render(request, user, roster, sessions, today, now, body,
                         notice="Afgevinkt: staat niet meer in de werkvoorraad.")  # fmt: skip


@router.post("/pane/werkvoorraad/markering-wissen", response_class=HTMLResponse)
async def flag_done(
    request: Request, body: FindingRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, graph: UserGraph, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    """Flagged mail dealt with: the flag in her mailbox is marked complete."""
    row = await closing.complete_flag(graph, sessions, roster, finding_id=body.finding,
                                      actor=user.upn, now=now.astimezone(dt.UTC))  # fmt: skip
    publish(request, "closed", row.mailbox, key=f"message:{row.details['message']}")
    return await _render(request, user, roster, sessions, today, now, body,
                         notice="De markering is gewist; het bericht is afgehandeld.")  # fmt: skip


# --- Bericht: who works on this mail -----------------------------------------------------------
async def _strip(
    request: Request, user: Any, roster: Roster, sessions: Any, mailbox: str, message_id: str,
    now: dt.datetime, ask: bool = False,
) -> HTMLResponse:  # fmt: skip
    async with sessions() as session:
        held = await claims.held_on_message(session, mailbox=mailbox, message_id=message_id,
                                            now=now.astimezone(dt.UTC))  # fmt: skip
    return _fragment(request, "views/bezig.html", held=held, message_id=message_id,
                     user=user.upn, names=roster.names, ask=ask)  # fmt: skip


@router.get("/pane/bericht/bezig", response_class=HTMLResponse)
async def claim_strip(
    request: Request, selected: Selected, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, now: Now,
) -> HTMLResponse:  # fmt: skip
    """The line on Bericht saying who works on this mail (redrawn on the queue's events)."""
    if not selected.item:
        raise BadRequest("Kies eerst een bericht.")
    return await _strip(request, user, roster, sessions, selected.ctx.mailbox, selected.item, now)


class MessageClaimRequest(BaseModel):
    mailbox: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    message: str = Field(min_length=1, max_length=512)
    take_over: bool = False


@router.post("/pane/bericht/oppakken", response_class=HTMLResponse)
async def pick_up_message(
    request: Request, body: MessageClaimRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, settings: SettingsDep, now: Now,
) -> HTMLResponse:  # fmt: skip
    """ "Ik pak dit op" on the mail itself; a colleague's claim is shown and asked about."""
    if not may(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox):
        raise AccessDenied("U werkt niet voor deze bestuurder.")
    mailbox = body.mailbox.lower()
    async with sessions() as session:
        held = await claims.held_on_message(
            session,
            mailbox=mailbox,
            message_id=body.message,
            now=now.astimezone(dt.UTC),
            not_by=user.upn,
        )
    if held is not None and not body.take_over:
        return await _strip(request, user, roster, sessions, mailbox, body.message, now, ask=True)
    if held is not None and held.key != f"message:{body.message}":
        await claims.release(sessions, roster, key=held.key, actor=user.upn)  # taken over
    key = f"message:{body.message}"
    await claims.claim(
        sessions, key=key, mailbox=mailbox, actor=user.upn, now=now.astimezone(dt.UTC),
        names=roster.names, ttl=dt.timedelta(minutes=settings.claim_minutes), take_over=True,
    )  # fmt: skip
    publish(request, "claim", mailbox, key=key, by=user.upn)
    return await _strip(request, user, roster, sessions, mailbox, body.message, now)


class MessageReleaseRequest(BaseModel):
    mailbox: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    message: str = Field(min_length=1, max_length=512)
    key: str = Field(min_length=3, max_length=600)


@router.post("/pane/bericht/vrijgeven", response_class=HTMLResponse)
async def let_go_message(
    request: Request, body: MessageReleaseRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, now: Now,
) -> HTMLResponse:  # fmt: skip
    mailbox = await claims.release(sessions, roster, key=body.key, actor=user.upn)
    publish(request, "release", mailbox, key=body.key)
    return await _strip(request, user, roster, sessions, mailbox, body.message, now)


# --- Overdracht -------------------------------------------------------------------------------
@router.get("/pane/werkvoorraad/overdracht", response_class=HTMLResponse)
async def handover_view(
    request: Request, selected: Selected, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    """The handover for the next person, with a button per colleague to mail it."""
    mine = acting_for(roster, user.upn)
    async with sessions() as session:
        found = await handover.build_handover(session, roster=roster, mailboxes=mine,
                                              today=today, now=now.astimezone(dt.UTC))  # fmt: skip
    nexts = {s.front_next for s in found.sections if s.front_next and s.front_next != user.upn}
    team = {c for c, served in roster.serves.items() if c != user.upn and set(served) & set(mine)}
    colleagues = sorted(team, key=lambda c: (c not in nexts, c))  # the next front office first
    return _fragment(request, "views/overdracht.html", handover=found, names=roster.names,
                     colleagues=colleagues, nexts=nexts, user=user.upn)  # fmt: skip


class HandoverMailRequest(BaseModel):
    to: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")


@router.post("/pane/werkvoorraad/overdracht/mailen", response_class=HTMLResponse)
async def handover_mail(
    request: Request, body: HandoverMailRequest, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, graph: UserGraph, settings: SettingsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    found = await send_handover(user, roster, sessions, graph, settings, today, now, body.to,
                                body.operation_id)  # fmt: skip
    who = roster.names.get(body.to.lower(), body.to)
    return _fragment(request, "views/overdracht_verstuurd.html", who=who,
                     executives=[s.name for s in found.sections])  # fmt: skip


# --- roster exceptions from the team section ---------------------------------------------------
class ExceptionForm(ViewState):
    kind: Literal["absent", "front_office"] = "absent"
    secretary: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    first: dt.date
    last: dt.date | None = None
    cover_for: str = Field(default="", max_length=320)  # the executive, for a swap
    note: str = Field(default="", max_length=500)


@router.post("/pane/werkvoorraad/uitzondering", response_class=HTMLResponse)
async def add_roster_exception(
    request: Request, body: ExceptionForm, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    """Absent, or front office for an executive, on a day or a range (audited)."""
    async with sessions() as session, session.begin():
        made = await exceptions.add_exception(
            session, roster, actor=user.upn, kind=body.kind, secretary=body.secretary,
            first=body.first, last=body.last or body.first,
            executive=body.cover_for or None, note=body.note or None,
        )  # fmt: skip
        fresh = await snapshot(session)
    tell_team(request, roster, body.secretary, body.cover_for or None)
    who = fresh.names.get(body.secretary.lower(), body.secretary)
    what = "afwezig" if body.kind == "absent" else "frontoffice"
    notice = f"In het rooster: {who} {what}, {len(made)} dag{'en' if len(made) != 1 else ''}."
    return await _render(request, user, fresh, sessions, today, now, body, notice=notice)


class ExceptionRemoval(ViewState):
    exception: int = Field(ge=1)


@router.post("/pane/werkvoorraad/uitzondering/verwijderen", response_class=HTMLResponse)
async def remove_roster_exception(
    request: Request, body: ExceptionRemoval, user: CurrentUser, roster: RosterDep,
    sessions: SessionsDep, today: Today, now: Now,
) -> HTMLResponse:  # fmt: skip
    async with sessions() as session, session.begin():
        gone = await exceptions.remove_exception(session, roster, actor=user.upn,
                                                 exception_id=body.exception)  # fmt: skip
        fresh = await snapshot(session)
    tell_team(request, roster, gone.secretary, gone.executive)
    return await _render(request, user, fresh, sessions, today, now, body,
                         notice="Uitzondering verwijderd.")  # fmt: skip
